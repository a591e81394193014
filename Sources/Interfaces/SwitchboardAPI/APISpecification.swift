import Foundation

/// The API's OpenAPI document, as served at `/openapi.yaml`: the source the operations and
/// types of this module are generated from (`scripts/generate-api`).
package enum APISpecification {
    /// The document's text.
    package static let yaml: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { preconditionFailure("openapi.yaml is a resource of SwitchboardAPI") }
        return text
    }()
}
