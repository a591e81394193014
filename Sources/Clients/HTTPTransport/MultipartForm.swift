import Foundation

/// A `multipart/form-data` body (RFC 7578): fields and files, each a part with its
/// `Content-Disposition`, names and file names written so that no value can end its header
/// or part (`"`, CR, LF and `%` percent-encoded, as RFC 7578 §2 allows), and a boundary
/// found in no part.
public struct MultipartForm: Sendable {
    public struct Part: Sendable, Hashable {
        public var name: String
        public var fileName: String?
        public var contentType: String?
        public var bytes: [UInt8]
    }

    public private(set) var parts: [Part] = []

    public init() {}

    /// A text field.
    public mutating func add(_ name: String, value: String, contentType: String? = nil) {
        parts.append(Part(name: name, fileName: nil, contentType: contentType, bytes: Array(value.utf8)))
    }

    /// A file.
    public mutating func add(_ name: String, fileName: String, contentType: String, bytes: [UInt8]) {
        parts.append(Part(name: name, fileName: fileName, contentType: contentType, bytes: bytes))
    }

    /// The body and its `Content-Type` (with the boundary).
    public func encoded() -> (contentType: String, body: [UInt8]) {
        var boundary = Self.randomBoundary()
        while parts.contains(where: { $0.bytes.contains(boundary.utf8) }) { boundary = Self.randomBoundary() }
        var body: [UInt8] = []
        for part in parts {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(part.name))\""
            if let fileName = part.fileName { head += "; filename=\"\(Self.quoted(fileName))\"" }
            head += "\r\n"
            if let type = part.contentType { head += "Content-Type: \(Self.token(type))\r\n" }
            body += Array((head + "\r\n").utf8) + part.bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return ("multipart/form-data; boundary=\(boundary)", body)
    }

    /// A name or file name inside double quotes: `"`, CR, LF and `%` percent-encoded.
    static func quoted(_ value: String) -> String {
        var text = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "%22"
            case "\r": text += "%0D"
            case "\n": text += "%0A"
            case "%": text += "%25"
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text
    }

    /// A media type's `type/subtype`: the text up to the first character no token (RFC 9110
    /// §5.6.2) or `/` may hold, so no parameter, CR or LF comes along.
    static func token(_ value: String) -> String {
        let allowed = Set("!#$%&'*+-.^_`|~/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        let type = String(value.prefix { allowed.contains($0) })
        return type.split(separator: "/", omittingEmptySubsequences: false).count == 2 && !type.hasPrefix("/") && !type.hasSuffix("/")
            ? type : "application/octet-stream"
    }

    private static func randomBoundary() -> String {
        let characters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return "sb-" + String((0..<32).map { _ in characters.randomElement()! })
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle`'s bytes occur in this array.
    fileprivate func contains(_ needle: String.UTF8View) -> Bool {
        let pattern = Array(needle)
        guard !pattern.isEmpty, pattern.count <= count else { return false }
        return (0...(count - pattern.count)).contains { start in self[start..<start + pattern.count].elementsEqual(pattern) }
    }
}
