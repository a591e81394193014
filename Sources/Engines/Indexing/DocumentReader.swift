public import Foundation
public import TextExtraction

/// Reads a downloaded file's text for the index: PDFs through poppler's `pdftotext` (a
/// process of its own, under a time limit, its pages kept for citations), every other format
/// through ``TextExtractor``. A file that cannot be read gives a typed error naming why; the
/// run that asked goes on with the next file.
public struct DocumentReader: Sendable {
    public var limits: ExtractionLimits
    /// The longest a PDF may take to read.
    public var pdfTimeout: Duration

    public init(limits: ExtractionLimits = ExtractionLimits(), pdfTimeout: Duration = .seconds(60)) {
        self.limits = limits
        self.pdfTimeout = pdfTimeout
    }

    /// The text of the file at `path`, read as `format`.
    public func read(_ path: String, format: DocumentFormat) async throws(ExtractionError) -> ExtractedText {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= limits.maxInputBytes else { throw ExtractionError("larger than \(limits.maxInputBytes) bytes") }
        guard format == .pdf else {
            guard let data = FileManager.default.contents(atPath: path) else { throw ExtractionError("cannot read \(path)") }
            return try TextExtractor(limits: limits).extract(Array(data), format: format)
        }
        return ExtractedText.pages(try await pdfPages(path), limits: limits)
    }

    /// `pdftotext -enc UTF-8 FILE OUT` (reading order, pages ended by form feeds), stopped by
    /// coreutils' `timeout` when it runs too long.
    func pdfPages(_ path: String) async throws(ExtractionError) -> [String] {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-pdf-\(UUID().uuidString).txt").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let seconds = max(1, Int(pdfTimeout.components.seconds))
        let status = try await Self.run("/usr/bin/timeout", ["--kill-after=2", String(seconds), "pdftotext", "-enc", "UTF-8", "-eol", "unix", path, output])
        switch status {
        case 0: break
        case 124, 137: throw ExtractionError("pdftotext took longer than \(seconds) s")
        case 127: throw ExtractionError("pdftotext is not installed (poppler-utils)")
        default: throw ExtractionError("pdftotext could not read the PDF (exit \(status))")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        guard size <= limits.maxCharacters * 4, let data = FileManager.default.contents(atPath: output) else {
            throw ExtractionError("the PDF's text is larger than the limit")
        }
        var pages = String(decoding: data, as: UTF8.self).components(separatedBy: "\u{0C}")
        if pages.last?.allSatisfy(\.isWhitespace) == true { pages.removeLast() }
        return pages
    }

    /// Runs a program to its end without blocking a thread: its exit status.
    static func run(_ executable: String, _ arguments: [String]) async throws(ExtractionError) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
                process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
                do {
                    try process.run()
                } catch {
                    process.terminationHandler = nil
                    continuation.resume(throwing: error)
                }
            }
        } catch {
            throw ExtractionError("\(executable) could not start: \(error)")
        }
    }
}
