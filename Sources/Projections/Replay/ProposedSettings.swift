public import Foundation
public import SyncDomain

/// Reads proposed settings the way the settings API takes them: the body of `PUT /api/v1/settings`
/// (`{"expectedVersion": 3, "settings": {…}}`) or its `settings` object alone — with or without `version`, which
/// Accord sets — and checks them with the settings command's own validation (``TenantSettings/validationErrors()``).
public enum ProposedSettings {
    /// Decodes and validates proposed settings.
    /// - Parameter data: The JSON document.
    /// - Throws: ``ReplayError`` with `unreadableSettings` (not settings JSON) or `invalidSettings` (every problem in
    ///   ``ReplayError/problems``).
    public static func decode(_ data: Data) throws(ReplayError) -> TenantSettings {
        let settings: TenantSettings
        do {
            guard var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ReplayError(code: .unreadableSettings, message: "the settings must be a JSON object")
            }
            if let inner = object["settings"] as? [String: Any] { object = inner }
            if object["version"] == nil { object["version"] = 0 }
            settings = try JSONDecoder().decode(TenantSettings.self, from: try JSONSerialization.data(withJSONObject: object))
        } catch let error as ReplayError {
            throw error
        } catch {
            throw ReplayError(
                code: .unreadableSettings,
                message: "the settings are not in the shape `accord settings show` prints or the settings API takes: \(Self.reason(error))",
                underlying: error)
        }
        let problems = settings.validationErrors().map(\.description)
        guard problems.isEmpty else {
            throw ReplayError(code: .invalidSettings, message: "the settings are invalid: " + problems.joined(separator: " "), problems: problems)
        }
        return settings
    }

    /// A decoding error said briefly: the path to the member and what is wrong with it.
    private static func reason(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not JSON" }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return keys.isEmpty ? "the document" : keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context)).\(key.stringValue) is missing".replacingOccurrences(of: "the document.", with: "")
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "not settings JSON"
        }
    }
}
