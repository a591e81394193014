public import ContentLines

/// Writes ``Component`` trees as iCalendar text: CRLF line breaks, folded at 75 octets,
/// every property written exactly as held.
public struct ICalendarSerializer: Sendable {
    /// Whether long lines are folded (RFC 5545 requires it; on by default).
    public var folds: Bool

    /// Creates a serializer.
    public init(folds: Bool = true) {
        self.folds = folds
    }

    /// The bytes of `components`, one after the other.
    public func serialize(_ components: [Component]) -> [UInt8] {
        var writer = ContentLineWriter(folding: folds)
        for component in components { write(component, to: &writer) }
        return writer.bytes
    }

    /// The bytes of one component.
    public func serialize(_ component: Component) -> [UInt8] {
        serialize([component])
    }

    /// The text of one component.
    public func string(_ component: Component) -> String {
        String(decoding: serialize(component), as: UTF8.self)
    }

    /// Appends one component (and its subcomponents) to `writer`.
    public func write(_ component: Component, to writer: inout ContentLineWriter) {
        writer.write(name: "BEGIN", value: component.name)
        if component.components.isEmpty {
            for property in component.properties { writer.write(property) }
        } else {
            let layout = component.layout
            var next = 0
            for (index, child) in component.components.enumerated() {
                while next < layout[index] {
                    writer.write(component.properties[next])
                    next += 1
                }
                write(child, to: &writer)
            }
            while next < component.properties.count {
                writer.write(component.properties[next])
                next += 1
            }
        }
        writer.write(name: "END", value: component.name)
    }
}

extension Component: CustomDebugStringConvertible {
    /// The component as iCalendar text.
    public var debugDescription: String { ICalendarSerializer().string(self) }
}
