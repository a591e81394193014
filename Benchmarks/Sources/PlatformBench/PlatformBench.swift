import Foundation
import HTTPTransport
import NextcloudOCS
import OpenProjectAPI
import ZulipAPI

/// The platform clients' benchmark, Switchboard's side (scripts/bench-platforms runs it beside
/// the vendors' python clients against the stand-ins):
///   PlatformBench nextcloud-users BASE_URL USER PASSWORD PAGE_SIZE
///       every user id, in pages of PAGE_SIZE (the provisioning API's limit/offset)
///   PlatformBench openproject-work-packages BASE_URL API_KEY PROJECT_ID PAGE_SIZE
///       every work package of a project, following the server's nextByOffset links
///   PlatformBench zulip-users BASE_URL EMAIL API_KEY
///       every user of the organisation
/// Each prints one JSON line: the tool, the seconds, the client's own CPU seconds (user and
/// system, the process's whole life), the count, and the peak RSS in KiB.
@main
struct PlatformBench {
    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.count >= 4, let base = URL(string: arguments[1]) else { usage() }
        let start = ContinuousClock.now
        let count: Int
        switch arguments[0] {
        case "nextcloud-users" where arguments.count == 5:
            count = try await withTransport(user: arguments[2], password: arguments[3]) { transport in
                try await OCSClient(baseURL: base, transport: transport).allUsers(pageSize: Int(arguments[4]) ?? 500).count
            }
        case "openproject-work-packages" where arguments.count == 5:
            count = try await withTransport(user: "apikey", password: arguments[2]) { transport in
                var client = OpenProjectClient(baseURL: base, transport: transport)
                client.pageSize = Int(arguments[4]) ?? 1_000
                return try await client.workPackages(project: Int(arguments[3]) ?? 0).count
            }
        case "zulip-users" where arguments.count == 4:
            count = try await withTransport(user: arguments[2], password: arguments[3]) { transport in
                try await ZulipClient(baseURL: base, transport: transport).users().count
            }
        default:
            usage()
        }
        let elapsed = ContinuousClock.now - start
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        print("{\"tool\": \"switchboard\", \"task\": \"\(arguments[0])\", \"seconds\": \(seconds), \"cpu_seconds\": \(cpu), \"count\": \(count), \"peak_rss_kib\": \(usage.ru_maxrss)}")
    }

    static func withTransport<Value: Sendable>(user: String, password: String, _ body: @Sendable (HTTPTransport) async throws -> Value) async throws -> Value {
        var configuration = ClientConfiguration(credentials: .basic(user: user, password: password))
        configuration.networkPolicy = NetworkPolicy(allowing: [IPRange("127.0.0.0/8")!])
        return try await HTTPTransport.withTransport(configuration: configuration, body)
    }

    static func usage() -> Never {
        FileHandle.standardError.write(Data("usage: PlatformBench nextcloud-users URL USER PASSWORD PAGE | openproject-work-packages URL KEY PROJECT PAGE | zulip-users URL EMAIL KEY\n".utf8))
        exit(2)
    }
}
