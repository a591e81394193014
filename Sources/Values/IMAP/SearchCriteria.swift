/// What to search for (RFC 9051 §6.4.4), as a typed tree: every text reaches the command
/// as a quoted string or a literal written by ``CommandEncoder``, never spliced in.
public indirect enum SearchCriteria: Sendable, Hashable {
    case all
    case seen, unseen, flagged, unflagged, answered, unanswered, deleted, undeleted, draft
    case keyword(Flag)
    case from(String), to(String), cc(String), bcc(String), subject(String), body(String), text(String)
    case header(String, String)
    /// Internal date on or after the day.
    case since(SearchDate)
    /// Internal date before the day.
    case before(SearchDate)
    case on(SearchDate)
    case larger(Int), smaller(Int)
    case uid(SequenceSet)
    /// CONDSTORE: changed since the mod-sequence.
    case modSeq(UInt64)
    case not(SearchCriteria)
    case or(SearchCriteria, SearchCriteria)
    case and([SearchCriteria])

    /// Whether any text in the criteria is outside ASCII (the command then names `CHARSET UTF-8`).
    var needsUTF8: Bool {
        switch self {
        case .from(let text), .to(let text), .cc(let text), .bcc(let text), .subject(let text), .body(let text), .text(let text):
            !text.utf8.allSatisfy { $0 < 0x80 }
        case .header(let name, let value): !(name + value).utf8.allSatisfy { $0 < 0x80 }
        case .not(let inner): inner.needsUTF8
        case .or(let left, let right): left.needsUTF8 || right.needsUTF8
        case .and(let all): all.contains { $0.needsUTF8 }
        default: false
        }
    }

    func encode(into writer: inout CommandWriter) {
        switch self {
        case .all: writer.atom("ALL")
        case .seen: writer.atom("SEEN")
        case .unseen: writer.atom("UNSEEN")
        case .flagged: writer.atom("FLAGGED")
        case .unflagged: writer.atom("UNFLAGGED")
        case .answered: writer.atom("ANSWERED")
        case .unanswered: writer.atom("UNANSWERED")
        case .deleted: writer.atom("DELETED")
        case .undeleted: writer.atom("UNDELETED")
        case .draft: writer.atom("DRAFT")
        case .keyword(let flag): writer.atom("KEYWORD "); writer.atom(flag.rawValue)
        case .from(let text): writer.atom("FROM "); writer.string(text)
        case .to(let text): writer.atom("TO "); writer.string(text)
        case .cc(let text): writer.atom("CC "); writer.string(text)
        case .bcc(let text): writer.atom("BCC "); writer.string(text)
        case .subject(let text): writer.atom("SUBJECT "); writer.string(text)
        case .body(let text): writer.atom("BODY "); writer.string(text)
        case .text(let text): writer.atom("TEXT "); writer.string(text)
        case .header(let name, let value): writer.atom("HEADER "); writer.string(name); writer.atom(" "); writer.string(value)
        case .since(let date): writer.atom("SINCE \(date)")
        case .before(let date): writer.atom("BEFORE \(date)")
        case .on(let date): writer.atom("ON \(date)")
        case .larger(let size): writer.atom("LARGER \(max(0, size))")
        case .smaller(let size): writer.atom("SMALLER \(max(0, size))")
        case .uid(let set): writer.atom("UID \(set)")
        case .modSeq(let value): writer.atom("MODSEQ \(value)")
        case .not(let inner): writer.atom("NOT "); inner.encode(into: &writer)
        case .or(let left, let right):
            writer.atom("OR ")
            left.encodeGrouped(into: &writer)
            writer.atom(" ")
            right.encodeGrouped(into: &writer)
        case .and(let all):
            if all.isEmpty { writer.atom("ALL"); return }
            for (index, criterion) in all.enumerated() {
                if index > 0 { writer.atom(" ") }
                criterion.encodeGrouped(into: &writer)
            }
        }
    }

    private func encodeGrouped(into writer: inout CommandWriter) {
        if case .and(let all) = self, all.count > 1 {
            writer.atom("(")
            encode(into: &writer)
            writer.atom(")")
        } else {
            encode(into: &writer)
        }
    }
}

/// A day as SEARCH takes it (`date-text`: `1-Feb-2026`).
public struct SearchDate: Sendable, Hashable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    /// `nil` unless month is 1–12, day 1–31 and year 1–9999.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), (1...31).contains(day), (1...9999).contains(year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public var description: String { "\(day)-\(Self.months[month - 1])-\(year)" }
}
