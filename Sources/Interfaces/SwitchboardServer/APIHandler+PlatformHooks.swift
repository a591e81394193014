import Accounts
import Foundation
import OpenAPIRuntime
import SwitchboardAPI
import SwitchboardCore
import SwitchboardStore

/// OpenProject's and Zulip's own webhook calls, and the secret they are checked with.
extension APIHandler {
    /// The most a platform's webhook call may carry (a work package with its links; a message).
    static let platformHookLimit = 1 << 20

    func receiveOpenProjectEvent(_ input: Operations.ReceiveOpenProjectEvent.Input) async throws -> Operations.ReceiveOpenProjectEvent.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            guard case .any(let stream) = input.body else { throw Problem.invalid("body", "send the webhook's body") }
            let body = try await Self.bytes(of: stream, upTo: Self.platformHookLimit)
            let event = try await hookCall { () throws(PlatformHookError) in
                try await hub.platformHooks.receiveOpenProject(accountID: input.path.accountId, body: body, signature: input.headers.xOPSignature)
            }
            return .accepted(.init(body: .json(.init(event: event))))
        }
    }

    func receiveZulipEvent(_ input: Operations.ReceiveZulipEvent.Input) async throws -> Operations.ReceiveZulipEvent.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            guard case .any(let stream) = input.body else { throw Problem.invalid("body", "send the webhook's body") }
            let body = try await Self.bytes(of: stream, upTo: Self.platformHookLimit)
            _ = try await hookCall { () throws(PlatformHookError) in try await hub.platformHooks.receiveZulip(accountID: input.path.accountId, body: body) }
            return .ok(.init(body: .json(.init(responseNotRequired: true))))
        }
    }

    func setAccountHookSecret(_ input: Operations.SetAccountHookSecret.Input) async throws -> Operations.SetAccountHookSecret.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            let account = try await account(input.path.accountId, of: principal)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            try await hookCall { () throws(PlatformHookError) in try await hub.platformHooks.setSecret(account, body.secret) }
            audit("account.hook-secret", principal, target: account.id)
            return .noContent(.init())
        }
    }

    private func hookCall<Value>(_ body: () async throws(PlatformHookError) -> Value) async throws(Problem) -> Value {
        do { return try await body() } catch { throw Problem(error) }
    }
}

extension Problem {
    init(_ error: PlatformHookError) {
        switch error {
        case .unknown: self.init(status: 404, code: "not_found", title: "No account takes these calls", detail: error.description)
        case .unauthorized: self = .unauthorized
        case .invalid: self.init(status: 400, code: "invalid", title: "Not the platform's payload", detail: error.description)
        case .account(let error): self.init(status: 500, code: "account_unusable", title: "The account cannot be used", detail: error.description)
        case .store(let error): self.init(error)
        }
    }
}
