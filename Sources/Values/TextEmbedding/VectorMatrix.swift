import CBLAS
import Dispatch
import Foundation

/// Unit vectors stored row after row, searched exactly: the dot product with every row (one
/// BLAS `sgemv`), the best `k` kept by a bounded selection.
public struct VectorMatrix: Sendable {
    public let dimensions: Int
    public private(set) var rows = 0
    private var values: [Float] = []

    public init(dimensions: Int) {
        self.dimensions = dimensions
    }

    /// Adds a row; a vector of another length is refused (`false`).
    @discardableResult
    public mutating func append(_ vector: [Float]) -> Bool {
        guard vector.count == dimensions else { return false }
        values.append(contentsOf: vector)
        rows += 1
        return true
    }

    /// The `k` rows closest to `query` (highest dot product), best first.
    public func nearest(to query: [Float], k: Int) -> [(row: Int, score: Float)] {
        guard rows > 0, k > 0, query.count == dimensions else { return [] }
        var scores = [Float](repeating: 0, count: rows)
        // The rows in as many parts as there are cores, each scanned on its own thread.
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, rows / 4096))
        let rowsPerPart = (rows + parts - 1) / parts
        let dimensions = dimensions
        let rows = rows
        values.withUnsafeBufferPointer { matrix in
            query.withUnsafeBufferPointer { query in
                scores.withUnsafeMutableBufferPointer { scores in
                    let buffers = ScanBuffers(matrix: matrix.baseAddress!, query: query.baseAddress!, scores: scores.baseAddress!)
                    DispatchQueue.concurrentPerform(iterations: parts) { part in
                        let first = part * rowsPerPart
                        let count = min(rowsPerPart, rows - first)
                        guard count > 0 else { return }
                        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(count), Int32(dimensions), 1, buffers.matrix + first * dimensions,
                                    Int32(dimensions), buffers.query, 1, 0, buffers.scores + first, 1)
                    }
                }
            }
        }
        // A min-heap of the best k so far.
        var heap: [(row: Int, score: Float)] = []
        heap.reserveCapacity(min(k, rows) + 1)
        func siftDown(_ start: Int) {
            var parent = start
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < heap.count, heap[left].score < heap[smallest].score { smallest = left }
                if right < heap.count, heap[right].score < heap[smallest].score { smallest = right }
                if smallest == parent { return }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        for (row, score) in scores.enumerated() {
            if heap.count < k {
                heap.append((row, score))
                var child = heap.count - 1
                while child > 0, heap[(child - 1) / 2].score > heap[child].score {
                    heap.swapAt(child, (child - 1) / 2)
                    child = (child - 1) / 2
                }
            } else if score > heap[0].score {
                heap[0] = (row, score)
                siftDown(0)
            }
        }
        return heap.sorted { $0.score > $1.score || ($0.score == $1.score && $0.row < $1.row) }
    }
}

/// The buffers of one scan, shared by its parts.
private struct ScanBuffers: @unchecked Sendable {
    // Valid for the whole `concurrentPerform` (which returns only when every part is done,
    // inside the `withUnsafe…` calls that own them); the matrix and the query are only read,
    // and each part writes its own range of `scores`.
    let matrix: UnsafePointer<Float>
    let query: UnsafePointer<Float>
    let scores: UnsafeMutablePointer<Float>
}
