/// The tenant's settings changed. Lives in `settings`.
public struct SettingsChanged: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "SettingsChanged"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The new settings (their version is the previous one + 1).
    public var settings: TenantSettings
    /// Whether the match pairs changed (the match index must be rebuilt).
    public var matchFieldsChanged: Bool
    /// Whether field mappings changed (mapped values and conflicts must be recomputed).
    public var mappingsChanged: Bool
    /// Whether linked Stripe customers now get their e-conomic number written back where they did not before
    /// (``TenantSettings/linkedNumberWriteBackKey``): the pairs already linked must be given it.
    public var numberWriteBackChanged: Bool

    /// Creates the payload.
    public init(settings: TenantSettings, matchFieldsChanged: Bool = false, mappingsChanged: Bool = false, numberWriteBackChanged: Bool = false) {
        self.settings = settings
        self.matchFieldsChanged = matchFieldsChanged
        self.mappingsChanged = mappingsChanged
        self.numberWriteBackChanged = numberWriteBackChanged
    }

    private enum CodingKeys: String, CodingKey {
        case settings, matchFieldsChanged, mappingsChanged, numberWriteBackChanged
    }

    /// Encodes; `numberWriteBackChanged` only when true (events stored before it existed keep their shape).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(settings, forKey: .settings)
        try c.encode(matchFieldsChanged, forKey: .matchFieldsChanged)
        try c.encode(mappingsChanged, forKey: .mappingsChanged)
        if numberWriteBackChanged { try c.encode(true, forKey: .numberWriteBackChanged) }
    }

    /// Decodes; fields with defaults may be absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        settings = try c.decode(TenantSettings.self, forKey: .settings)
        matchFieldsChanged = try c.decodeIfPresent(Bool.self, forKey: .matchFieldsChanged) ?? false
        mappingsChanged = try c.decodeIfPresent(Bool.self, forKey: .mappingsChanged) ?? false
        numberWriteBackChanged = try c.decodeIfPresent(Bool.self, forKey: .numberWriteBackChanged) ?? false
    }
}
