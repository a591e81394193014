import Foundation
import Testing
import TextExtraction
import CZlib

/// Text with its structure from each format, within the limits, and chunks cut by it.
@Suite struct TextExtractionTests {
    let extractor = TextExtractor()

    @Test func formatsAreKnownByNameOrMediaType() {
        #expect(DocumentFormat(fileName: "Leitlinie.PDF") == .pdf)
        #expect(DocumentFormat(fileName: "notes.md") == .markdown)
        #expect(DocumentFormat(fileName: "export", mediaType: "text/html; charset=utf-8") == .html)
        #expect(DocumentFormat(fileName: "bericht.docx") == .docx && DocumentFormat(fileName: "bericht.odt") == .odt)
        #expect(DocumentFormat(fileName: "photo.jpg", mediaType: "image/jpeg") == nil)
    }

    @Test func markdownHeadingsMakeThePathAndMarkupGoes() throws {
        let text = """
            # Hypertonie

            Blutdruck über **140/90** mmHg gilt als [erhöht](https://example.org).

            ## Therapie
            - ACE-Hemmer
            - Sartane

            Ziel
            ----
            Unter 130 mmHg.

            ```
            # not a heading
            ```
            """
        let extracted = try extractor.extract(Array(text.utf8), format: .markdown)
        #expect(extracted.blocks.map(\.text) == [
            "Hypertonie", "Blutdruck über 140/90 mmHg gilt als erhöht.", "Therapie", "ACE-Hemmer", "Sartane", "Ziel", "Unter 130 mmHg.",
            "# not a heading",
        ])
        #expect(extracted.blocks[3].headingPath == ["Hypertonie", "Therapie"])
        #expect(extracted.blocks[6].headingPath == ["Hypertonie", "Ziel"], "a setext heading of level 2 replaces Therapie")
    }

    @Test func htmlGivesWhatAReaderSees() throws {
        let html = """
            <html><head><title>Not text</title><style>p { color: red }</style></head>
            <body><h1>Leitlinie &amp; Praxis</h1><script>alert("no")</script>
            <p>Erster&nbsp;Absatz<br>zweite Zeile</p><!-- hidden --><h2>Dosierung</h2><ul><li>5&#160;mg</li><li>10 mg</li></ul>
            <table><tr><td>a &lt; b</td></tr></table></body></html>
            """
        let extracted = try extractor.extract(Array(html.utf8), format: .html)
        #expect(extracted.blocks.map(\.text) == ["Leitlinie & Praxis", "Erster Absatz", "zweite Zeile", "Dosierung", "5 mg", "10 mg", "a < b"])
        #expect(extracted.blocks[4].headingPath == ["Leitlinie & Praxis", "Dosierung"])
        #expect(!extracted.text.contains("alert") && !extracted.text.contains("color") && !extracted.text.contains("Not text"))
    }

    @Test func htmlLeavesOutThePagesChrome() throws {
        // A documentation page as Sphinx writes it: menus before and after the content, a search box, a hidden dialog.
        let html = """
            <body><div class="related" role="navigation"><ul><li>index</li><li><div>next</div></li></ul></div>
            <nav><a href="/">Home</a><nav>inner</nav></nav>
            <div class="body" role="main"><h1>copy</h1><p>Shallow and deep copies.</p><img src="x.png"><br></div>
            <div role="search"><form>Quick search</form></div><p hidden>Draft</p><div aria-hidden="true">Icon</div>
            <div role="Navigation"><div><p>This Page</p></div></div><p>After the menus.</p></body>
            """
        let extracted = try extractor.extract(Array(html.utf8), format: .html)
        #expect(extracted.blocks.map(\.text) == ["copy", "Shallow and deep copies.", "After the menus."])
    }

    @Test func docxParagraphsAndHeadingStyles() throws {
        let w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
        let document = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <w:document xmlns:w="\(w)"><w:body>
            <w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>Praxishandbuch</w:t></w:r></w:p>
            <w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Anmeldung</w:t></w:r></w:p>
            <w:p><w:r><w:t xml:space="preserve">Patienten melden sich </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>am Empfang</w:t></w:r><w:r><w:t>.</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>Zelle</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
            <w:p><w:pPr><w:outlineLvl w:val="1"/></w:pPr><w:r><w:t>Wartezeit</w:t></w:r></w:p>
            <w:p><w:r><w:t>Zehn</w:t><w:tab/><w:t>Minuten</w:t></w:r></w:p>
            </w:body></w:document>
            """
        let extracted = try extractor.extract(try Self.container(["word/document.xml": document, "[Content_Types].xml": "<Types/>"]), format: .docx)
        #expect(extracted.blocks.map(\.text) == ["Praxishandbuch", "Anmeldung", "Patienten melden sich am Empfang.", "Zelle", "Wartezeit", "Zehn Minuten"])
        #expect(extracted.blocks[5].headingPath == ["Praxishandbuch", "Anmeldung", "Wartezeit"])
    }

    @Test func odtHeadingsAndParagraphs() throws {
        let text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
        let content = """
            <?xml version="1.0" encoding="UTF-8"?>
            <office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="\(text)">
            <office:body><office:text>
            <text:h text:outline-level="1">Hygiene</text:h>
            <text:p>Hände<text:s text:c="2"/>desinfizieren<text:note><text:note-body><text:p>Fußnote</text:p></text:note-body></text:note>.</text:p>
            <text:h text:outline-level="2">Flächen</text:h>
            <text:p>Täglich <text:span>wischen</text:span>.</text:p>
            </office:text></office:body></office:document-content>
            """
        let extracted = try extractor.extract(try Self.container(["content.xml": content, "mimetype": "application/vnd.oasis.opendocument.text"]), format: .odt)
        #expect(extracted.blocks.map(\.text) == ["Hygiene", "Hände desinfizieren.", "Flächen", "Täglich wischen."])
        #expect(extracted.blocks[3].headingPath == ["Hygiene", "Flächen"])
    }

    @Test func brokenAndHostileContainersGiveTypedErrors() throws {
        #expect(throws: ExtractionError.self) { try extractor.extract(Array("not a zip".utf8), format: .docx) }
        #expect(throws: ExtractionError.self) { try extractor.extract(try Self.container(["other.xml": "<a/>"]), format: .docx) }
        #expect(throws: ExtractionError.self) {
            try extractor.extract(try Self.container(["word/document.xml": "<w:document><unclosed>"]), format: .docx)
        }
        // A zip bomb: 8 MiB of zeros compress to a few KiB; the limit is 1 MiB. The header may
        // lie about the size too: the unpacking stops at the limit all the same.
        let bomb = try Self.container(["word/document.xml": String(repeating: "0", count: 8 << 20)])
        #expect(bomb.count < 100_000)
        let small = TextExtractor(limits: ExtractionLimits(maxUnpackedBytes: 1 << 20))
        let refused = #expect(throws: ExtractionError.self) { try small.extract(bomb, format: .docx) }
        #expect(refused?.description.contains("limit") == true)
        var lying = bomb
        let sizeField = try #require(Self.find([0x50, 0x4B, 0x01, 0x02], in: lying)) + 24
        lying.replaceSubrange(sizeField..<(sizeField + 4), with: [0x10, 0, 0, 0])
        let stopped = #expect(throws: ExtractionError.self) { try small.extract(lying, format: .docx) }
        #expect(stopped?.description.contains("limit") == true)
        // Offsets past the end (found by fuzzing ZIPFoundation, which crashed on this one).
        var pastTheEnd = try Self.container(["word/document.xml": "<a/>"])
        let endRecord = try #require(Self.find([0x50, 0x4B, 0x05, 0x06], in: pastTheEnd))
        pastTheEnd.replaceSubrange((endRecord + 16)..<(endRecord + 20), with: [0xFF, 0xFF, 0xFF, 0x7F])
        #expect(throws: ExtractionError.self) { try extractor.extract(pastTheEnd, format: .docx) }
        #expect(throws: ExtractionError.self) { try TextExtractor(limits: ExtractionLimits(maxInputBytes: 10)).extract(Array("0123456789ab".utf8), format: .plainText) }
    }

    @Test func textIsCutAtTheLimitAndSaysSo() throws {
        let limited = TextExtractor(limits: ExtractionLimits(maxCharacters: 20))
        let extracted = try limited.extract(Array("eins zwei drei\n\nvier fünf sechs sieben\n\nacht".utf8), format: .plainText)
        #expect(extracted.text.count <= 22 && extracted.problems.first?.contains("cut") == true)
        // Not UTF-8: read as Windows-1252.
        #expect(try extractor.extract([0x47, 0x72, 0xFC, 0xDF, 0x65], format: .plainText).text == "Grüße")
    }

    @Test func pagesKeepTheirNumbers() {
        let extracted = ExtractedText.pages(["Seite eins\n\nnoch eins", "Seite zwei"])
        #expect(extracted.blocks.map(\.page) == [1, 1, 2])
    }

    @Test func chunksFollowTheStructureWithOverlap() throws {
        let words = (1...50).map { "w\($0)" }.joined(separator: " ")
        let text = "# A\n\n\(words)\n\n## B\n\nkurz\n\n# C\n\nnoch kürzer"
        let chunks = Chunker(targetWords: 20, overlapWords: 5).chunks(try extractor.extract(Array(text.utf8), format: .markdown))
        // 51 words under A: 20, then 15 new + 5 carried, twice, then the last 6 + 5 carried.
        #expect(chunks.map(\.headingPath) == [["A"], ["A"], ["A"], ["A"], ["A", "B"], ["C"]])
        #expect(chunks[0].text.hasPrefix("A w1 ") && chunks[0].text.split(separator: " ").count == 20)
        #expect(chunks[1].text.hasPrefix("w15 "), "five words carried over")
        #expect(chunks[3].text.hasSuffix("w50") && chunks[4].text == "B kurz" && chunks[5].text == "C noch kürzer")
        #expect(chunks.map(\.index) == Array(0..<6))
        // Pages split chunks too, and every word of the document is in some chunk.
        let paged = Chunker(targetWords: 8, overlapWords: 2).chunks(ExtractedText.pages(["a b c", "d e f g h i j k l m"]))
        #expect(paged.map(\.page) == [1, 2, 2] && paged.last?.text == "j k l m")
        #expect(Set(paged.flatMap { $0.text.split(separator: " ") }) == Set("abcdefghijklm".map { Substring(String($0)) }))
    }

    static func find(_ marker: [UInt8], in bytes: [UInt8]) -> Int? {
        bytes.indices.first { bytes[$0...].starts(with: marker) }
    }

    /// A zip container holding `files`, deflated (written here by the APPNOTE: local headers,
    /// the central directory, its end record).
    static func container(_ files: [String: String]) throws -> [UInt8] {
        var body: [UInt8] = []
        var directory: [UInt8] = []
        func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }
        func le32(_ value: Int) -> [UInt8] { le16(value & 0xFFFF) + le16(value >> 16 & 0xFFFF) }
        for (name, content) in files.sorted(by: { $0.key < $1.key }) {
            let plain = Array(content.utf8)
            let packed = try deflate(plain)
            let crc = Int(plain.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) })
            let fields = le16(20) + le16(0) + le16(8) + le16(0) + le16(0) + le32(crc) + le32(packed.count) + le32(plain.count) + le16(name.utf8.count)
            directory += le32(0x0201_4B50) + le16(20) + fields + le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(body.count) + Array(name.utf8)
            body += le32(0x0403_4B50) + fields + le16(0) + Array(name.utf8) + packed
        }
        return body + directory + le32(0x0605_4B50) + le16(0) + le16(0) + le16(files.count) + le16(files.count) + le32(directory.count)
            + le32(body.count) + le16(0)
    }

    /// Raw deflate (no zlib header), as zip stores it.
    static func deflate(_ bytes: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        #expect(deflateInit2_(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                              Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 64)
        let written = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                let status = CZlib.deflate(&stream, Z_FINISH)
                return status == Z_STREAM_END ? target.count - Int(stream.avail_out) : -1
            }
        }
        return Array(output.prefix(try #require(written >= 0 ? written : nil)))
    }
}
