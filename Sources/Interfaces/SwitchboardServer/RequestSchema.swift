import Foundation
import HTTPTypes
import Hummingbird
import ICalendar
import NIOCore
import Yams

/// A JSON value: how the request validator reads request bodies and the OpenAPI document's
/// schemas alike.
indirect enum JSONValue: Decodable, Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: Key.self) {
            var members: [String: JSONValue] = [:]
            for key in object.allKeys { members[key.stringValue] = try object.decode(JSONValue.self, forKey: key) }
            self = .object(members)
        } else if var list = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !list.isAtEnd { items.append(try list.decode(JSONValue.self)) }
            self = .array(items)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                self = .null
            } else if let value = try? single.decode(Bool.self) {
                self = .bool(value)
            } else if let value = try? single.decode(Int64.self) {
                self = .integer(value)
            } else if let value = try? single.decode(Double.self) {
                self = .number(value)
            } else {
                self = .string(try single.decode(String.self))
            }
        }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var string: String? { if case .string(let text) = self { text } else { nil } }
    var list: [JSONValue] { if case .array(let items) = self { items } else { [] } }
    var int: Int? {
        switch self {
        case .integer(let value): Int(value)
        case .number(let value): Int(exactly: value)
        default: nil
        }
    }
    var double: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }
}

/// Why a request does not match its operation's schema: the field (a JSON path such as
/// `attendees[3]`, or a query parameter's name) and what it breaks.
struct SchemaViolation: Error, Sendable, Hashable {
    var field: String
    var message: String
}

/// Holds every request to the limits the API's OpenAPI document states for it: the JSON
/// body against its operation's request schema and each query parameter against its own
/// (types, required fields, lengths, counts, ranges, enumerations, patterns, mail
/// addresses, unknown fields where the schema closes an object). The generated layer
/// decodes types but checks none of these; this is where the document's promises are kept,
/// for every operation at once, so a route added to the document is checked too.
struct RequestSchema: Sendable {
    /// One operation: its method, path template and what it takes.
    struct Operation: Sendable {
        var method: String
        var segments: [String]
        var body: JSONValue?
        var query: [(name: String, required: Bool, schema: JSONValue)]
        /// Header parameters, their names in lower case.
        var headers: [(name: String, required: Bool, schema: JSONValue)]
    }

    let document: JSONValue
    let operations: [Operation]

    /// The schema of the OpenAPI document `yaml`.
    init(yaml: String) throws {
        let document = try YAMLDecoder().decode(JSONValue.self, from: yaml)
        self.document = document
        var operations: [Operation] = []
        guard case .object(let paths)? = document["paths"] else { self.operations = []; return }
        for (path, item) in paths {
            guard case .object(let methods) = item else { continue }
            for (method, operation) in methods where ["get", "put", "post", "delete", "patch"].contains(method) {
                let parameters = (item["parameters"]?.list ?? []) + (operation["parameters"]?.list ?? [])
                func located(_ location: String) -> [(String, Bool, JSONValue)] {
                    parameters.map { Self.resolve($0, in: document) }.compactMap { parameter -> (String, Bool, JSONValue)? in
                        guard parameter["in"]?.string == location, let name = parameter["name"]?.string, let schema = parameter["schema"] else { return nil }
                        return (location == "header" ? name.lowercased() : name, parameter["required"] == .bool(true), schema)
                    }
                }
                let body = operation["requestBody"].map { Self.resolve($0, in: document) }?["content"]?["application/json"]?["schema"]
                operations.append(Operation(method: method.uppercased(), segments: path.split(separator: "/").map(String.init),
                                            body: body, query: located("query"), headers: located("header")))
            }
        }
        self.operations = operations
    }

    /// The operation `method` on `path` is, if the document has it.
    func operation(_ method: String, _ path: String) -> Operation? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return operations.first { operation in
            operation.method == method && operation.segments.count == segments.count
                && zip(operation.segments, segments).allSatisfy { template, segment in template.hasPrefix("{") || template == segment }
        }
    }

    /// The first way `query`, `headers` and `body` break `operation`'s schema, if any.
    /// `query` holds each parameter's values in order (an array parameter repeats: `type=a&type=b`);
    /// `headers` the request's, by lower-case name.
    func violation(of operation: Operation, query: [String: [String]], headers: [String: String] = [:], body: JSONValue?) -> SchemaViolation? {
        for parameter in operation.headers {
            guard let text = headers[parameter.name] else {
                if parameter.required { return SchemaViolation(field: parameter.name, message: "is required") }
                continue
            }
            let schema = Self.resolve(parameter.schema, in: document)
            if let violation = violation(of: Self.queryValue(text, as: schema), against: schema, at: parameter.name) { return violation }
        }
        for parameter in operation.query {
            guard let texts = query[parameter.name], let text = texts.first else {
                if parameter.required { return SchemaViolation(field: parameter.name, message: "is required") }
                continue
            }
            let schema = Self.resolve(parameter.schema, in: document)
            let value: JSONValue = if Self.types(of: schema).first == "array" {
                .array(texts.map { Self.queryValue($0, as: Self.resolve(schema["items"] ?? .null, in: document)) })
            } else {
                Self.queryValue(text, as: schema)
            }
            if let violation = violation(of: value, against: schema, at: parameter.name) { return violation }
        }
        if let schema = operation.body, let body {
            return violation(of: body, against: schema, at: "")
        }
        return nil
    }

    /// A query parameter's text as the JSON value its schema's type reads it as.
    private static func queryValue(_ text: String, as schema: JSONValue) -> JSONValue {
        switch types(of: schema).first {
        case "integer": Int64(text).map(JSONValue.integer) ?? .string(text)
        case "number": Double(text).map(JSONValue.number) ?? .string(text)
        case "boolean": ["true": JSONValue.bool(true), "false": .bool(false)][text] ?? .string(text)
        default: .string(text)
        }
    }

    /// The first way `value` breaks `schema` (JSON Schema 2020-12 as OpenAPI 3.1 uses it:
    /// the keywords this document uses).
    func violation(of value: JSONValue, against schema: JSONValue, at path: String) -> SchemaViolation? {
        let schema = Self.resolve(schema, in: document)
        let field = path.isEmpty ? "body" : path
        func fail(_ message: String) -> SchemaViolation { SchemaViolation(field: field, message: message) }
        for part in schema["allOf"]?.list ?? [] {
            if let violation = violation(of: value, against: part, at: path) { return violation }
        }
        for keyword in ["anyOf", "oneOf"] {
            if let choices = schema[keyword]?.list, !choices.isEmpty,
               !choices.contains(where: { violation(of: value, against: $0, at: path) == nil }) {
                return fail("matches none of its allowed forms")
            }
        }
        let types = Self.types(of: schema)
        if !types.isEmpty, !types.contains(where: { Self.value(value, is: $0) }) {
            return fail("must be \(types.joined(separator: " or "))")
        }
        if let allowed = schema["enum"]?.list, !allowed.contains(value) {
            return fail("must be one of \(allowed.compactMap(\.string).joined(separator: ", "))")
        }
        switch value {
        case .string(let text):
            let length = text.unicodeScalars.count
            if let minimum = schema["minLength"]?.int, length < minimum { return fail("at least \(minimum) characters") }
            if let maximum = schema["maxLength"]?.int, length > maximum { return fail("at most \(maximum) characters") }
            if let pattern = schema["pattern"]?.string, text.range(of: pattern, options: .regularExpression) == nil {
                return fail("must match \(pattern)")
            }
            switch schema["format"]?.string {
            case "email"?:
                if CalendarUserAddress(mailAddress: text) == nil || text.lowercased().hasPrefix("mailto:") { return fail("not a mail address") }
            case "uri"?:
                if URL(string: text)?.scheme == nil { return fail("not a URI") }
            default:
                break
            }
        case .integer, .number:
            if let number = value.double {
                if let minimum = schema["minimum"]?.double, number < minimum { return fail("at least \(minimum)") }
                if let maximum = schema["maximum"]?.double, number > maximum { return fail("at most \(maximum)") }
            }
        case .array(let items):
            if let minimum = schema["minItems"]?.int, items.count < minimum { return fail("at least \(minimum) items") }
            if let maximum = schema["maxItems"]?.int, items.count > maximum { return fail("at most \(maximum) items") }
            if let itemSchema = schema["items"] {
                for (index, item) in items.enumerated() {
                    if let violation = violation(of: item, against: itemSchema, at: "\(path)[\(index)]") { return violation }
                }
            }
        case .object(let members):
            let properties = schema["properties"]
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                let memberPath = path.isEmpty ? name : "\(path).\(name)"
                if let memberSchema = properties?[name] {
                    if let violation = violation(of: member, against: memberSchema, at: memberPath) { return violation }
                } else if schema["additionalProperties"] == .bool(false) {
                    return SchemaViolation(field: memberPath, message: "is not a field of this request")
                } else if let extra = schema["additionalProperties"], case .object = extra {
                    if let violation = violation(of: member, against: extra, at: memberPath) { return violation }
                }
            }
            for name in schema["required"]?.list.compactMap(\.string) ?? [] where members[name] == nil {
                return SchemaViolation(field: path.isEmpty ? name : "\(path).\(name)", message: "is required")
            }
        case .null, .bool:
            break
        }
        return nil
    }

    /// The schema's `type`, as a list.
    private static func types(of schema: JSONValue) -> [String] {
        switch schema["type"] {
        case .string(let type)?: [type]
        case .array(let types)?: types.compactMap(\.string)
        default: []
        }
    }

    private static func value(_ value: JSONValue, is type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object),
             ("integer", .integer), ("number", .integer), ("number", .number): true
        case ("integer", .number(let number)): number.rounded() == number
        default: false
        }
    }

    /// `value` with a local `$ref` (`#/components/…`) followed, as often as it takes.
    private static func resolve(_ value: JSONValue, in document: JSONValue) -> JSONValue {
        var current = value
        for _ in 0..<16 {
            guard let reference = current["$ref"]?.string, reference.hasPrefix("#/") else { return current }
            var target: JSONValue? = document
            for part in reference.dropFirst(2).split(separator: "/") {
                target = target?[part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")]
            }
            guard let found = target else { return current }
            current = found
        }
        return current
    }
}

/// Refuses (400, naming the field) a request that breaks its operation's schema in the
/// API's OpenAPI document, before any handler reads it. Bodies that are not JSON are left
/// to the generated layer, which refuses them in its own words.
struct RequestSchemaMiddleware<Context: RequestContext>: RouterMiddleware {
    let schema: RequestSchema

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let operation = schema.operation(request.method.rawValue, request.uri.path) else { return try await next(request, context) }
        var request = request
        var body: JSONValue?
        if operation.body != nil, request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true {
            // The body limit has read the body already: this takes what it holds.
            let buffer = try await request.collectBody(upTo: .max)
            if buffer.readableBytes > 0 { body = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView)) }
        }
        var query: [String: [String]] = [:]
        for (name, value) in request.uri.queryParameters { query[String(name), default: []].append(String(value)) }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        if let violation = schema.violation(of: operation, query: query, headers: headers, body: body) {
            throw Problem.invalid(violation.field, violation.message)
        }
        return try await next(request, context)
    }
}
