/// One unfolded content line (RFC 5545 §3.1, RFC 6350 §3.3):
/// `[group "."] name *(";" param) ":" value`.
///
/// The value is the text as written, escapes included; typed accessors in the iCalendar
/// and vCard modules decode it. Equality ignores ``sourceLocation``.
public struct ContentLine: Sendable, Hashable {
    /// The vCard group (`item1` in `item1.EMAIL`), or `nil`.
    public var group: String?
    /// The property name, upper case.
    public var name: String
    /// The parameters, in order.
    public var parameters: [Parameter]
    /// The value text exactly as written (escaped).
    public var value: String
    /// Where the line was read from, or `nil` for a line built in code.
    public var sourceLocation: SourceLocation?

    /// Creates a content line.
    public init(
        group: String? = nil, name: String, parameters: [Parameter] = [], value: String,
        sourceLocation: SourceLocation? = nil
    ) {
        self.group = group
        self.name = name
        self.parameters = parameters
        self.value = value
        self.sourceLocation = sourceLocation
    }

    /// The first parameter with this name, if any. Names are matched exactly: the parser
    /// upper-cases every name it reads, so look names up in upper case (`"TZID"`).
    public func parameter(_ name: String) -> Parameter? {
        parameters.first { $0.name == name }
    }

    /// Sets a parameter's values, replacing every parameter of that name, or removes it
    /// when `values` is `nil`. The first occurrence keeps its position.
    public mutating func setParameter(_ name: String, values: [String]?) {
        let index = parameters.firstIndex { $0.name == name }
        parameters.removeAll { $0.name == name }
        guard let values else { return }
        let parameter = Parameter(name: name, values: values)
        if let index, index <= parameters.count {
            parameters.insert(parameter, at: index)
        } else {
            parameters.append(parameter)
        }
    }

    public static func == (lhs: ContentLine, rhs: ContentLine) -> Bool {
        lhs.name == rhs.name && lhs.value == rhs.value && lhs.group == rhs.group
            && lhs.parameters == rhs.parameters
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(group)
        hasher.combine(name)
        hasher.combine(parameters)
        hasher.combine(value)
    }
}

extension ContentLine: CustomDebugStringConvertible {
    /// The line as it would be written, unfolded.
    public var debugDescription: String {
        var writer = ContentLineWriter(folding: false)
        writer.write(self)
        return String(decoding: writer.bytes.dropLast(2), as: UTF8.self)
    }
}
