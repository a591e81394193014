import Foundation
import SwitchboardAPI
import SwitchboardStore
import Webhooks

/// Webhook subscriptions and their delivery log.
extension APIHandler {
    func listWebhooks(_ input: Operations.ListWebhooks.Input) async throws -> Operations.ListWebhooks.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.read)
            let webhooks = try await call { () throws(StoreError) in try await store.webhooks(tenantID: principal.tenantID) }
            return .ok(.init(body: .json(webhooks.map { Self.webhook($0, secret: nil) })))
        }
    }

    func createWebhook(_ input: Operations.CreateWebhook.Input) async throws -> Operations.CreateWebhook.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            guard (1...10).contains(body.events.count) else { throw Problem.invalid("events", "1 to 10 event types") }
            guard body.url.count <= 2000 else { throw Problem.invalid("url", "at most 2000 characters") }
            let (webhook, secret): (WebhookRecord, String)
            do throws(WebhookError) {
                (webhook, secret) = try await webhooks.register(tenantID: principal.tenantID, url: body.url,
                                                                events: Array(Set(body.events.map(\.rawValue))).sorted())
            } catch {
                switch error {
                case .invalidURL(let why): throw Problem.invalid("url", why)
                case .destinationRefused(let why):
                    var problem = Problem.invalid("url", why)
                    problem.code = "destination_refused"
                    throw problem
                case .store(let error): throw Problem(error)
                }
            }
            audit("webhook.create", principal, target: webhook.id)
            return .created(.init(body: .json(Self.webhook(webhook, secret: secret))))
        }
    }

    func deleteWebhook(_ input: Operations.DeleteWebhook.Input) async throws -> Operations.DeleteWebhook.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            let webhook = try await webhook(input.path.webhookId, of: principal)
            _ = try await call { () throws(StoreError) in try await store.deleteWebhook(id: webhook.id) }
            audit("webhook.delete", principal, target: webhook.id)
            return .noContent(.init())
        }
    }

    func listDeliveries(_ input: Operations.ListDeliveries.Input) async throws -> Operations.ListDeliveries.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let webhook = try await webhook(input.path.webhookId, of: try Principal.requiring(.read))
            let limit = input.query.limit ?? 50
            guard (1...200).contains(limit) else { throw Problem.invalid("limit", "between 1 and 200") }
            let status = input.query.status.flatMap { DeliveryStatus(rawValue: $0.rawValue) }
            let deliveries = try await call { () throws(StoreError) in try await store.deliveries(webhookID: webhook.id, status: status, limit: limit) }
            return .ok(.init(body: .json(deliveries.map(Self.delivery))))
        }
    }

    /// One of the principal's tenant's webhooks.
    func webhook(_ id: String, of principal: Principal) async throws(Problem) -> WebhookRecord {
        let owned = try await call { () throws(StoreError) in try await store.webhooks(tenantID: principal.tenantID) }
        guard let found = owned.first(where: { $0.id == id }) else { throw Problem.notFound("no webhook \(id)") }
        return found
    }

    static func webhook(_ webhook: WebhookRecord, secret: String?) -> Components.Schemas.Webhook {
        .init(id: webhook.id, url: webhook.url, events: webhook.events, createdAt: webhook.createdAt, secret: secret)
    }

    static func delivery(_ delivery: DeliveryRecord) -> Components.Schemas.Delivery {
        .init(id: delivery.id, _type: delivery.eventType, status: .init(rawValue: delivery.status.rawValue) ?? .pending,
              attempts: delivery.attempts, nextAttemptAt: delivery.status == .pending ? delivery.nextAttemptAt : nil,
              lastStatus: delivery.lastStatus, lastError: delivery.lastError, createdAt: delivery.createdAt, deliveredAt: delivery.deliveredAt)
    }
}
