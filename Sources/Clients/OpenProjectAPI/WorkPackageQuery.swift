public import Foundation

/// Filters and sort order for listing work packages, written as OpenProject's `filters` and
/// `sortBy` JSON by an encoder (values never pasted into JSON text).
public struct WorkPackageQuery: Sendable, Hashable {
    /// A work package field a filter or sort names (OpenProject's filter keys).
    public enum Field: String, Sendable, Hashable, CaseIterable {
        case status, type, assignee, priority, project, subject, version, author
        case updatedAt, createdAt, dueDate, startDate, id
    }

    /// How a filter compares.
    public enum Operator: String, Sendable, Hashable {
        /// Equal to one of the values.
        case equals = "="
        /// Equal to none of the values.
        case notEquals = "!"
        /// Status: open (no values).
        case open = "o"
        /// Status: closed (no values).
        case closed = "c"
        /// Text: contains.
        case contains = "~"
        /// Set (no values).
        case any = "*"
        /// Not set (no values).
        case none = "!*"
    }

    public struct Filter: Sendable, Hashable {
        public var field: Field
        public var `operator`: Operator
        public var values: [String]

        public init(_ field: Field, _ operator: Operator, _ values: [String] = []) {
            self.field = field
            self.operator = `operator`
            self.values = values
        }
    }

    public var filters: [Filter]
    /// Fields to sort by, each ascending or not; empty: OpenProject's order (by id).
    public var sort: [(field: Field, ascending: Bool)]

    public init(filters: [Filter] = [], sort: [(field: Field, ascending: Bool)] = []) {
        self.filters = filters
        self.sort = sort
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.filters == rhs.filters && lhs.sort.map(\.field) == rhs.sort.map(\.field) && lhs.sort.map(\.ascending) == rhs.sort.map(\.ascending)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(filters)
        for (field, ascending) in sort {
            hasher.combine(field)
            hasher.combine(ascending)
        }
    }

    /// The query parameters: `filters` always (an empty list lifts OpenProject's default
    /// "open only"), `sortBy` when sorting.
    var queryItems: [URLQueryItem] {
        var items = [FilterClause.queryItem(filters.map { FilterClause($0.field.rawValue, $0.operator.rawValue, $0.values) })]
        if !sort.isEmpty {
            items.append(URLQueryItem(name: "sortBy", value: FilterClause.json(sort.map { [$0.field.rawValue, $0.ascending ? "asc" : "desc"] })))
        }
        return items
    }
}

/// One clause of OpenProject's `filters` parameter (`{"status": {"operator": "o", "values": []}}`),
/// for any collection: the parameter is written by an encoder, values never pasted in.
struct FilterClause: Encodable {
    var name: String
    var `operator`: String
    var values: [String]

    init(_ name: String, _ operator: String, _ values: [String]) {
        self.name = name
        self.operator = `operator`
        self.values = values
    }

    private struct Condition: Encodable {
        var `operator`: String
        var values: [String]
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode([name: Condition(operator: `operator`, values: values)])
    }

    /// The `filters` query parameter of `clauses`.
    static func queryItem(_ clauses: [FilterClause]) -> URLQueryItem {
        URLQueryItem(name: "filters", value: json(clauses))
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Strings, arrays and dictionaries of them always encode.
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }
}
