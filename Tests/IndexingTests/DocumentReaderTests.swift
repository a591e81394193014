import Foundation
import Indexing
import Testing
import TextExtraction

/// Files read for the index: PDFs through pdftotext with their pages, other formats through
/// the extractor, failures as typed errors.
@Suite struct DocumentReaderTests {
    /// A PDF of one line of Helvetica text per page, written by the book (ISO 32000-1 §7.5:
    /// header, objects, cross-reference table, trailer).
    static func pdf(pages: [String]) -> [UInt8] {
        var objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
        var kids: [String] = []
        let font = 3 + pages.count * 2
        for (index, text) in pages.enumerated() {
            let page = 3 + index * 2
            kids.append("\(page) 0 R")
            let content = "BT /F1 12 Tf 72 720 Td (\(text)) Tj ET"
            objects.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents \(page + 1) 0 R /Resources << /Font << /F1 \(font) 0 R >> >> >>")
            objects.append("<< /Length \(content.utf8.count) >>\nstream\n\(content)\nendstream")
        }
        objects[1] = "<< /Type /Pages /Kids [\(kids.joined(separator: " "))] /Count \(pages.count) >>"
        objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
        var file = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(file.utf8.count)
            file += "\(index + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = file.utf8.count
        file += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { file += String(format: "%010d 00000 n \n", offset) }
        file += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Array(file.utf8)
    }

    static func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString)-\(name)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aPDFsTextComesWithItsPages() async throws {
        let path = try Self.write(Self.pdf(pages: ["Blutdruck messen", "Zweite Seite zum Zitieren"]), "guide.pdf")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = try await DocumentReader().read(path, format: .pdf)
        #expect(text.blocks.map(\.text) == ["Blutdruck messen", "Zweite Seite zum Zitieren"])
        #expect(text.blocks.map(\.page) == [1, 2])
    }

    @Test func unreadableFilesGiveTypedErrors() async throws {
        let broken = try Self.write(Array("%PDF-1.4\nnot really".utf8), "broken.pdf")
        defer { try? FileManager.default.removeItem(atPath: broken) }
        await #expect(throws: ExtractionError.self) { _ = try await DocumentReader().read(broken, format: .pdf) }
        let large = try Self.write(Array(repeating: 0x41, count: 2_000), "large.txt")
        defer { try? FileManager.default.removeItem(atPath: large) }
        let small = DocumentReader(limits: ExtractionLimits(maxInputBytes: 1_000))
        await #expect(throws: ExtractionError.self) { _ = try await small.read(large, format: .plainText) }
        #expect(try await DocumentReader().read(large, format: .plainText).text.count == 2_000)
        await #expect(throws: ExtractionError.self) { _ = try await DocumentReader().read("/nonexistent/file.md", format: .markdown) }
    }
}
