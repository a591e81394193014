public import Foundation

/// The tensors of a `safetensors` file (an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte offsets, then the data), read as `Float`s.
/// Only `F32` tensors are read; offsets and shapes are checked against the data.
public struct SafeTensors: Sendable {
    public struct Tensor: Sendable {
        public var shape: [Int]
        public var values: [Float]
    }

    private var tensors: [String: Tensor] = [:]

    /// The largest header taken (the format's own limit is 100 MB).
    static let maxHeaderBytes = 100_000_000

    public init(_ data: Data) throws(EmbeddingModelError) {
        guard data.count >= 8 else { throw EmbeddingModelError("safetensors: shorter than its header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(Self.maxHeaderBytes), Int(headerLength) <= data.count - 8 else {
            throw EmbeddingModelError("safetensors: a header of \(headerLength) bytes in a file of \(data.count)")
        }
        let start = data.startIndex + 8 + Int(headerLength)
        let header: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: data[(data.startIndex + 8)..<start]) as? [String: Any] else {
                throw EmbeddingModelError("safetensors: the header is not an object")
            }
            header = object
        } catch let error as EmbeddingModelError {
            throw error
        } catch {
            throw EmbeddingModelError("safetensors: the header is not JSON: \(error)")
        }
        let body = data.count - 8 - Int(headerLength)
        for (name, entry) in header where name != "__metadata__" {
            guard let entry = entry as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = (entry["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  let offsets = (entry["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }), offsets.count == 2
            else { throw EmbeddingModelError("safetensors: \(name) has no dtype, shape or offsets") }
            guard dtype == "F32" else { continue }
            let count = shape.reduce(1, *)
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= body, offsets[1] - offsets[0] == count * 4 else {
                throw EmbeddingModelError("safetensors: \(name)'s offsets do not fit its shape or the file")
            }
            var values = [Float](repeating: 0, count: count)
            values.withUnsafeMutableBytes { target in
                _ = data.copyBytes(to: target, from: (start + offsets[0])..<(start + offsets[1]))
            }
            // The format is little-endian, as this machine is.
            tensors[name] = Tensor(shape: shape, values: values)
        }
    }

    /// The tensor named `name`, which must have `shape`.
    public func tensor(_ name: String, shape: [Int]) throws(EmbeddingModelError) -> [Float] {
        guard let tensor = tensors[name] else { throw EmbeddingModelError("the weights have no \(name)") }
        guard tensor.shape == shape else { throw EmbeddingModelError("\(name) has the shape \(tensor.shape), not \(shape)") }
        return tensor.values
    }
}
