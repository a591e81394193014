import Hummingbird
import NIOCore
import Prometheus

/// Request counts and latencies by route, method and status, in a Prometheus registry of the
/// server's own (no process-wide metrics bootstrap, so every server and test keeps its own).
/// Served as text at `/metrics`.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let registry: PrometheusCollectorRegistry
    static var buckets: [Duration] {
        [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
         .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5)]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context, status: response.status.code, since: start)
            return response
        } catch {
            record(request, context, status: (error as? any HTTPResponseError)?.status.code ?? 500, since: start)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, status: Int, since start: ContinuousClock.Instant) {
        // The route's pattern, not the path: ids must not make a series each.
        let labels = [("route", context.endpointPath ?? "unmatched"), ("method", request.method.rawValue), ("status", String(status))]
        registry.makeCounter(descriptor: Self.requests, labels: labels).increment()
        registry.makeDurationHistogram(descriptor: Self.duration, labels: labels, buckets: Self.buckets).record(ContinuousClock.now - start)
    }

    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "switchboard", subsystem: "http", metricName: "requests", unitName: "total",
                             helpText: "HTTP requests answered, by route, method and status.")
    }

    static var duration: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "switchboard", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                             helpText: "Time to the response head, by route, method and status.")
    }
}
