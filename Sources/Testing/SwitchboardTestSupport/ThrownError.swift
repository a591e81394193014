/// The error of type `E` that `body` throws, or nil when it succeeds (or throws another type).
public func thrownError<E: Error>(_ type: E.Type, _ body: () async throws -> Void) async -> E? {
    do {
        try await body()
        return nil
    } catch {
        return error as? E
    }
}
