import Logging
import Prometheus
import ServiceLifecycle
import SyncEngine
import SwitchboardCore
import SwitchboardStore
import Webhooks

/// The sync service run beside the server: every enabled collection synced on its interval
/// (with backoff and leases), each finished run counted in the server's metrics. Stops with
/// the server's graceful shutdown, letting runs in progress finish their current item.
struct BackgroundSync: Service {
    let service: SyncService
    let metrics: SyncMetrics
    let logger: Logger
    let hub: Hub

    func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                for await event in service.events {
                    guard case .finished(let run) = event else { continue }
                    metrics.record(run)
                    await hub.recordEvents(of: run)
                    // Failures name the collection by id; their text (hrefs, server messages) stays in the sync log.
                    if run.failure != nil || !run.itemErrors.isEmpty {
                        logger.warning("sync run with errors", metadata: [
                            "collection_id": .string(run.collectionID), "run_id": .string(run.id),
                            "failed": .stringConvertible(run.failure != nil), "item_errors": .stringConvertible(run.itemErrors.count),
                        ])
                    }
                }
            }
            try await cancelWhenGracefulShutdown { try await service.run() }
        }
    }
}

/// Sync runs, items moved and upstream errors, as Prometheus counters.
struct SyncMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    func record(_ run: SyncRunRecord) {
        registry.makeCounter(descriptor: Self.runs, labels: [("result", run.failure == nil ? "ok" : "failed")]).increment()
        let counts = run.counts
        for (kind, count) in [("downloaded", counts.downloaded), ("uploaded", counts.uploaded), ("deleted_locally", counts.deletedLocally),
                              ("deleted_remotely", counts.deletedRemotely), ("merged", counts.merged), ("conflicts", counts.conflicts)]
        where count > 0 {
            registry.makeCounter(descriptor: Self.items, labels: [("change", kind)]).increment(by: Int64(count))
        }
        let upstreamErrors = run.itemErrors.count + (run.failure == nil ? 0 : 1)
        if upstreamErrors > 0 { registry.makeCounter(descriptor: Self.errors, labels: []).increment(by: Int64(upstreamErrors)) }
    }

    static var runs: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "switchboard", subsystem: "sync", metricName: "runs", unitName: "total",
                             helpText: "Sync runs finished, by result.")
    }

    static var items: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "switchboard", subsystem: "sync", metricName: "items", unitName: "total",
                             helpText: "Items moved by sync runs, by change.")
    }

    static var errors: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "switchboard", subsystem: "sync", metricName: "upstream_errors", unitName: "total",
                             helpText: "Failed sync runs and per-item errors (server refusals, unreadable objects, conflicts kept).")
    }
}

/// Delivers webhooks while the server runs; deliveries by result counted in `/metrics`.
struct WebhookDeliveries: Service {
    let webhooks: WebhookService
    let metrics: PrometheusCollectorRegistry

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                for result in await webhooks.deliverDue() {
                    metrics.makeCounter(descriptor: Self.deliveries, labels: [("result", result.rawValue)]).increment()
                }
                // Shutdown ends the wait; deliveries not yet due stay in the store for the next start.
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    static var deliveries: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "switchboard", subsystem: "webhooks", metricName: "deliveries", unitName: "total",
                             helpText: "Webhook delivery attempts, by result (delivered, pending: to be retried, dead).")
    }
}

/// Records the answers to bookings' invitations while the server runs: every `interval`,
/// the inviting mail accounts' inboxes are read (``Hub/processInvitationReplies(now:)``);
/// answers counted by result in `/metrics`.
struct InvitationReplies: Service {
    let hub: Hub
    let metrics: PrometheusCollectorRegistry
    let logger: Logger
    var interval: Duration = .seconds(60)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    for outcome in try await hub.processInvitationReplies() {
                        let result = outcome.applied ? "recorded" : outcome.final ? "set_aside" : "retried"
                        metrics.makeCounter(descriptor: Self.replies, labels: [("result", result)]).increment()
                    }
                } catch {
                    logger.warning("invitation replies could not be read", metadata: ["error": .string("\(error)")])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    static var replies: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "switchboard", subsystem: "mail", metricName: "invitation_replies", unitName: "total",
                             helpText: "Answers to bookings' invitations read from inboxes, by result (recorded, set_aside, retried).")
    }
}

/// Index runs beside the server: those the API and webhooks queue, and every index's own
/// every `interval` (a run with nothing changed costs a request per root), each counted by
/// result. Stops with the graceful shutdown between files; the next run takes up the rest.
struct IndexRuns: Service {
    let hub: Hub
    let metrics: PrometheusCollectorRegistry
    let logger: Logger
    var interval: Duration = .seconds(900)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    await hub.indexes.processQueue { id, result in
                        switch result {
                        case .success(let run):
                            metrics.makeCounter(descriptor: Self.runs, labels: [("result", "ok")]).increment()
                            if run.failed > 0 { logger.info("index run with unreadable files", metadata: ["index_id": .string(id), "failed": .stringConvertible(run.failed)]) }
                        case .failure(let error):
                            metrics.makeCounter(descriptor: Self.runs, labels: [("result", "failed")]).increment()
                            logger.warning("index run failed", metadata: ["index_id": .string(id), "error": .string("\(error)")])
                        }
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        if let all = try? await hub.indexes.allIndexes() { for index in all { hub.indexes.enqueue(index) } }
                        try? await Task.sleep(for: interval)
                    }
                }
            }
        }
    }

    static var runs: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "switchboard", subsystem: "index", metricName: "runs", unitName: "total",
                             helpText: "Index runs finished, by result (ok, failed).")
    }
}
