import Foundation
import Indexing
import SwitchboardAPI
import SwitchboardCore
import SwitchboardStore

/// The tenant's knowledge indexes: defined, run in the background, reported, searched.
extension APIHandler {
    var indexes: IndexService { hub.indexes }

    func listIndexes(_ input: Operations.ListIndexes.Input) async throws -> Operations.ListIndexes.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.read)
            let owned = try await indexCall { () throws(IndexServiceError) in try await indexes.indexes(tenantID: principal.tenantID) }
            return .ok(.init(body: .json(owned.map(Self.index))))
        }
    }

    func createIndex(_ input: Operations.CreateIndex.Input) async throws -> Operations.CreateIndex.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let account = try await account(body.accountId, of: principal)
            let tenants = try await call { () throws(StoreError) in try await store.tenants() }
            guard let tenant = tenants.first(where: { $0.id == principal.tenantID }) else { throw Problem.unauthorized }
            let definition = IndexDefinition(name: body.name, roots: body.roots ?? [""], includes: body.includes ?? [], excludes: body.excludes ?? [],
                                             maxFileBytes: body.maxFileBytes ?? 64 << 20)
            let index = try await indexCall { () throws(IndexServiceError) in
                try await indexes.add(definition, storedName: TenantScopedName.stored(body.name, tenantName: tenant.name), account: account)
            }
            audit("index.create", principal, target: index.id)
            return .created(.init(body: .json(Self.index(index))))
        }
    }

    func getIndex(_ input: Operations.GetIndex.Input) async throws -> Operations.GetIndex.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let index = try await index(input.path.indexId, of: try Principal.requiring(.read))
            return .ok(.init(body: .json(try await status(of: index))))
        }
    }

    func deleteIndex(_ input: Operations.DeleteIndex.Input) async throws -> Operations.DeleteIndex.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            let index = try await index(input.path.indexId, of: principal)
            try await indexCall { () throws(IndexServiceError) in try await indexes.remove(index) }
            audit("index.delete", principal, target: index.id)
            return .noContent(.init())
        }
    }

    func runIndex(_ input: Operations.RunIndex.Input) async throws -> Operations.RunIndex.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            let index = try await index(input.path.indexId, of: principal)
            indexes.enqueue(index)
            audit("index.run", principal, target: index.id)
            return .accepted(.init(body: .json(try await status(of: index))))
        }
    }

    func search(_ input: Operations.Search.Input) async throws -> Operations.Search.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.read)
            let searched = if let id = input.query.index {
                [try await index(id, of: principal)]
            } else {
                try await indexCall { () throws(IndexServiceError) in try await indexes.indexes(tenantID: principal.tenantID) }
            }
            let request = SearchRequest(query: input.query.q, k: input.query.k ?? 10, mode: input.query.mode.flatMap { SearchMode(rawValue: $0.rawValue) },
                                        folder: input.query.folder,
                                        formats: (input.query._type ?? []).map(\.rawValue), modifiedAfter: input.query.modifiedAfter,
                                        modifiedBefore: input.query.modifiedBefore)
            let hits = try await indexCall { () throws(IndexServiceError) in try await indexes.search(request, in: searched) }
            return .ok(.init(body: .json(.init(hits: hits.map(Self.hit)))))
        }
    }

    /// OpenAI's embeddings API over the indexes' model.
    func createEmbeddings(_ input: Operations.CreateEmbeddings.Input) async throws -> Operations.CreateEmbeddings.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            _ = try Principal.requiring(.read)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let texts = switch body.input {
            case .case1(let text): [text]
            case .case2(let texts): texts
            }
            let (model, embedded) = try await indexCall { () throws(IndexServiceError) in try await indexes.embed(texts, model: body.model) }
            let base64 = body.encodingFormat == .base64
            let data = embedded.vectors.enumerated().map { index, vector in
                Components.Schemas.Embedding(object: .embedding, index: index,
                                             embedding: base64 ? .case2(Self.littleEndianBase64(vector)) : .case1(vector))
            }
            let tokens = embedded.tokens ?? 0
            return .ok(.init(body: .json(.init(object: .list, data: data, model: model, usage: .init(promptTokens: tokens, totalTokens: tokens)))))
        }
    }

    /// A vector as OpenAI's `base64` encoding gives it: its 32-bit floats, little-endian.
    static func littleEndianBase64(_ vector: [Float]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(vector.count * 4)
        for value in vector {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return Data(bytes).base64EncodedString()
    }

    /// One of the principal's tenant's indexes, by id.
    private func index(_ id: String, of principal: Principal) async throws(Problem) -> FileIndexRecord {
        let owned = try await indexCall { () throws(IndexServiceError) in try await indexes.indexes(tenantID: principal.tenantID) }
        guard let found = owned.first(where: { $0.id == id }) else { throw Problem.notFound("no index \(id)") }
        return found
    }

    private func status(of index: FileIndexRecord) async throws(Problem) -> Components.Schemas.IndexStatus {
        let status = try await indexCall { () throws(IndexServiceError) in try await indexes.status(index) }
        return .init(index: Self.index(index), files: status.files, chunks: status.chunks, failedFiles: status.failedFiles, running: status.running,
                     queued: status.queued, lastRun: status.lastRun.map(Self.run),
                     errors: status.unreadable.map { .init(path: $0.path, error: $0.error ?? "", size: $0.size) })
    }

    func indexCall<T>(_ body: () async throws(IndexServiceError) -> T) async throws(Problem) -> T {
        do { return try await body() } catch { throw Problem(error) }
    }

    static func index(_ index: FileIndexRecord) -> Components.Schemas.Index {
        .init(id: index.id, name: index.localName, accountId: index.accountID, roots: index.roots, includes: index.includes, excludes: index.excludes,
              maxFileBytes: index.maxFileBytes, createdAt: index.createdAt)
    }

    static func run(_ run: IndexRunRecord) -> Components.Schemas.IndexRun {
        .init(id: run.id, startedAt: run.startedAt, finishedAt: run.finishedAt, listed: run.listed, read: run.read, moved: run.moved,
              removed: run.removed, unchanged: run.unchanged, failed: run.failed, chunks: run.chunks, embedded: run.embedded,
              requests: run.requests, failure: run.failure)
    }

    static func hit(_ hit: SearchHit) -> Components.Schemas.SearchHit {
        .init(index: hit.index, indexId: hit.indexID, path: hit.path, page: hit.page, headings: hit.headingPath, score: hit.score,
              snippet: hit.snippet.text, highlights: hit.snippet.highlights.map { .init(start: $0.lowerBound, end: $0.upperBound) }, text: hit.text)
    }
}

extension Problem {
    init(_ error: IndexServiceError) {
        switch error {
        case .unknownIndex(let name): self = .notFound("no index \(name)")
        case .invalid(let field, let why): self = .invalid(field, why)
        case .duplicateName(let name): self.init(status: 409, code: "duplicate_name", title: "Name taken", detail: "an index named \(name) exists")
        case .running(let name): self.init(status: 409, code: "index_running", title: "Running", detail: "the index \(name) is being run")
        case .files(let error): self.init(error)
        case .run(let error): self.init(status: 502, code: "upstream_failed", title: "The run stopped", detail: error.description)
        case .store(let error): self.init(error)
        case .embeddings(let why): self.init(status: 422, code: "embeddings_unavailable", title: "No embeddings", detail: why)
        }
    }
}
