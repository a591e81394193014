import CLibical
import Foundation
import ICalendar

/// Runs one parse and/or serialize of a file, once, for instruction counting under
/// `valgrind --tool=callgrind` (`scripts/bench --instructions`). Instruction counts are
/// repeatable where wall-clock time on a shared machine is not.
///
///     ParseDriver (switchboard | libical | none) (parse | both) FILE
@main
struct ParseDriver {
    static func main() throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 4 else {
            FileHandle.standardError.write(Data("usage: ParseDriver (switchboard|libical|none) (parse|both) FILE\n".utf8))
            exit(2)
        }
        let (implementation, task) = (arguments[1], arguments[2])
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: arguments[3])))
        var size = 0
        switch implementation {
        case "switchboard":
            let parsed = try ICalendarParser().parse(bytes)
            if task != "parse" { size = ICalendarSerializer().serialize(parsed.components).count }
        case "libical":
            let text = bytes + [0]
            text.withUnsafeBufferPointer { buffer in
                let component = icalparser_parse_string(
                    UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self))
                if task != "parse" {
                    let string = icalcomponent_as_ical_string_r(component)
                    size = strlen(string!)
                    free(string)
                }
                icalcomponent_free(component)
            }
        default:
            size = bytes.count  // The baseline: start-up and reading the file.
        }
        print(size)
    }
}
