import CZlib

/// One file read out of a zip container (PKWARE APPNOTE 6.3: the end of central directory,
/// the central directory, the local header, then the data stored or deflated), every offset
/// and length checked against the bytes there are and the unpacked size held to a limit, so
/// a hostile container (offsets past the end, a zip bomb, a lying size) gives a typed error.
/// ZIP64 and encryption are refused: office documents under the limits need neither.
struct ZipContainer {
    let bytes: [UInt8]

    struct Entry {
        var name: String
        var method: UInt16
        var compressedSize: Int
        var uncompressedSize: Int
        var localHeaderOffset: Int
        var flags: UInt16
    }

    /// The central directory's entries.
    func entries() throws(ExtractionError) -> [Entry] {
        // The end of central directory record: 22 bytes plus a comment of up to 65,535.
        guard bytes.count >= 22 else { throw ExtractionError("not a zip container: too short") }
        let lowest = max(0, bytes.count - 22 - 65_535)
        var end: Int?
        var position = bytes.count - 22
        while position >= lowest {
            if uint32(at: position) == 0x0605_4B50 { end = position; break }
            position -= 1
        }
        guard let end else { throw ExtractionError("not a zip container: no end of central directory") }
        let count = Int(uint16(at: end + 10))
        let size = Int(uint32(at: end + 12))
        let offset = Int(uint32(at: end + 16))
        guard offset <= end, size <= end - offset else { throw ExtractionError("the central directory lies outside the container") }
        var entries: [Entry] = []
        var cursor = offset
        for _ in 0..<count {
            guard cursor + 46 <= offset + size, uint32(at: cursor) == 0x0201_4B50 else { throw ExtractionError("a central directory entry is broken") }
            let nameLength = Int(uint16(at: cursor + 28))
            let extraLength = Int(uint16(at: cursor + 30))
            let commentLength = Int(uint16(at: cursor + 32))
            let next = cursor + 46 + nameLength + extraLength + commentLength
            guard next <= offset + size else { throw ExtractionError("a central directory entry runs past the directory") }
            let entry = Entry(name: String(decoding: bytes[(cursor + 46)..<(cursor + 46 + nameLength)], as: UTF8.self),
                              method: uint16(at: cursor + 10), compressedSize: Int(uint32(at: cursor + 20)),
                              uncompressedSize: Int(uint32(at: cursor + 24)), localHeaderOffset: Int(uint32(at: cursor + 42)),
                              flags: uint16(at: cursor + 8))
            entries.append(entry)
            cursor = next
        }
        return entries
    }

    /// The bytes of the file `name`, unpacked, at most `limit` of them.
    func read(_ name: String, limit: Int) throws(ExtractionError) -> [UInt8]? {
        guard let entry = try entries().first(where: { $0.name == name }) else { return nil }
        guard entry.flags & 0x1 == 0 else { throw ExtractionError("\(name) is encrypted") }
        guard entry.compressedSize != 0xFFFF_FFFF, entry.uncompressedSize != 0xFFFF_FFFF, entry.localHeaderOffset != 0xFFFF_FFFF else {
            throw ExtractionError("\(name) is a ZIP64 entry")
        }
        guard entry.uncompressedSize <= limit else {
            throw ExtractionError("\(name) unpacks to \(entry.uncompressedSize) bytes, over the limit of \(limit)")
        }
        let header = entry.localHeaderOffset
        guard header + 30 <= bytes.count, uint32(at: header) == 0x0403_4B50 else { throw ExtractionError("the local header of \(name) is broken") }
        let start = header + 30 + Int(uint16(at: header + 26)) + Int(uint16(at: header + 28))
        guard start <= bytes.count, entry.compressedSize <= bytes.count - start else { throw ExtractionError("the data of \(name) runs past the container") }
        let data = bytes[start..<(start + entry.compressedSize)]
        switch entry.method {
        case 0:
            guard data.count <= limit else { throw ExtractionError("\(name) is over the limit of \(limit) bytes") }
            return Array(data)
        case 8:
            return try Self.inflate(data, limit: limit, name: name)
        default:
            throw ExtractionError("\(name) is compressed by method \(entry.method), which is not read")
        }
    }

    /// Raw deflate (RFC 1951) undone by zlib, stopping past `limit` bytes whatever the
    /// header claimed.
    static func inflate(_ data: ArraySlice<UInt8>, limit: Int, name: String) throws(ExtractionError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ExtractionError("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = Array(data)
        var status: Int32 = Z_OK
        input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            repeat {
                chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    output += target[0..<(target.count - Int(stream.avail_out))]
                }
            } while status == Z_OK && output.count <= limit && (stream.avail_in > 0 || stream.avail_out == 0)
        }
        guard output.count <= limit else { throw ExtractionError("\(name) unpacks past the limit of \(limit) bytes") }
        guard status == Z_STREAM_END else { throw ExtractionError("\(name) is not valid deflate data (zlib \(status))") }
        return output
    }

    private func uint16(at offset: Int) -> UInt16 {
        guard offset >= 0, offset + 2 <= bytes.count else { return 0 }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    private func uint32(at offset: Int) -> UInt32 {
        guard offset >= 0, offset + 4 <= bytes.count else { return 0 }
        return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }
}
