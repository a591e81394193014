/// The content transfer encodings of RFC 2045 §6: `base64` and `quoted-printable` decoded,
/// `7bit`, `8bit` and `binary` as they are.
public enum TransferEncoding {
    /// The body's bytes decoded from `encoding` (lower case). Decoding is lenient, as mail
    /// readers are: characters outside the base64 alphabet are skipped (§6.8), and a `=`
    /// in quoted-printable that starts no escape stays as written (§6.7, note 1).
    public static func decode(_ body: some BidirectionalCollection<UInt8>, encoding: String) -> [UInt8] {
        switch encoding {
        case "base64": base64(body)
        case "quoted-printable": quotedPrintable(body)
        default: Array(body)
        }
    }

    /// base64 (RFC 2045 §6.8), skipping line breaks and anything outside the alphabet; a
    /// trailing group of 2 or 3 characters gives its 1 or 2 bytes.
    static func base64(_ text: some Collection<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count * 3 / 4)
        var group: UInt32 = 0
        var count = 0
        for byte in text {
            if byte == UInt8(ascii: "=") { break }
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"), UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): value = 63
            default: continue
            }
            group = group << 6 | UInt32(value)
            count += 1
            if count == 4 {
                output += [UInt8(truncatingIfNeeded: group >> 16), UInt8(truncatingIfNeeded: group >> 8), UInt8(truncatingIfNeeded: group)]
                group = 0
                count = 0
            }
        }
        switch count {
        case 2: output.append(UInt8(truncatingIfNeeded: group >> 4))
        case 3: output += [UInt8(truncatingIfNeeded: group >> 10), UInt8(truncatingIfNeeded: group >> 2)]
        default: break
        }
        return output
    }

    /// quoted-printable (RFC 2045 §6.7): `=XX` escapes, `=` at a line's end a soft break,
    /// trailing whitespace of a line dropped (rule 3), line breaks kept as CRLF.
    static func quotedPrintable(_ text: some BidirectionalCollection<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var lines = Lines(ArraySlice(text))
        var first = true
        while let (_, line) = lines.next() {
            if !first { output += [13, 10] }
            first = false
            var line = line
            while let last = line.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { line = line.dropLast() }
            var index = line.startIndex
            var softBreak = false
            while index < line.endIndex {
                let byte = line[index]
                guard byte == UInt8(ascii: "=") else {
                    output.append(byte)
                    index += 1
                    continue
                }
                if index + 1 == line.endIndex {
                    softBreak = true
                    break
                }
                if index + 2 < line.endIndex, let high = hexValue(line[index + 1]), let low = hexValue(line[index + 2]) {
                    output.append(high << 4 | low)
                    index += 3
                } else {
                    output.append(byte)
                    index += 1
                }
            }
            if softBreak { first = true }
        }
        // A final line break is text too (the line iterator yields no empty last line).
        if !first, text.last == UInt8(ascii: "\n") { output += [13, 10] }
        return output
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
