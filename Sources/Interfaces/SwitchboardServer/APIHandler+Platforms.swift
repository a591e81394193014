import Accounts
import Foundation
import HTTPTransport
import OpenAPIRuntime
import SwitchboardCore
import SwitchboardStore

extension APIHandler {
    /// A raw request body (a file, a signed webhook call) whole, up to `limit` bytes.
    static func bytes(of body: HTTPBody, upTo limit: Int) async throws(Problem) -> [UInt8] {
        do {
            return Array(try await Data(collecting: body, upTo: limit))
        } catch {
            throw Problem(status: 413, code: "too_large", title: "The body is too large", detail: "at most \(limit) bytes")
        }
    }

    /// Runs a platform use case; its failure becomes the API's problem.
    func platformCall<Value>(_ body: () async throws(PlatformServiceError) -> Value) async throws(Problem) -> Value {
        do { return try await body() } catch { throw Problem(error) }
    }
}

extension Problem {
    /// A platform's answer, as the API's: what it refused is the caller's to fix (4xx), what
    /// failed or refused the account is upstream's (502), its throttling a 503.
    init(_ error: PlatformServiceError) {
        switch error {
        case .wrongKind(_, let kind):
            self.init(status: 409, code: "not_\(kind.rawValue)", title: "Not an account of that kind", detail: error.description)
        case .account(let error):
            self.init(status: 502, code: "upstream_failed", title: "The account cannot be used", detail: error.description)
        case .upstream(let error):
            let platform = error.platform
            switch error.code {
            case .notFound: self.init(status: 404, code: "upstream_not_found", title: "Not on the \(platform) server", detail: error.detail)
            case .invalid: self.init(status: 422, code: "upstream_rejected", title: "\(platform) refused the values", detail: error.description)
            case .conflict: self.init(status: 409, code: "upstream_conflict", title: "Conflict on the \(platform) server", detail: error.description)
            case .rateLimited: self.init(status: 503, code: "upstream_throttled", title: "\(platform) is throttling", detail: error.description)
            case .unauthorized, .forbidden:
                self.init(status: 502, code: "upstream_unauthorized", title: "The account may not do this on \(platform)", detail: error.description)
            case .server, .status, .malformedResponse, .malformedRequest, .transport:
                self.init(status: 502, code: "upstream_failed", title: "\(platform) failed", detail: error.description)
            }
        }
    }
}
