/// What a person logged in to the web UI may do.
public enum UserRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// Reads everything and changes everything: settings, connections, partners, conflicts, imports, users.
    case admin
    /// Reads everything, changes nothing.
    case viewer

    /// How the pages name it.
    public var title: String {
        switch self {
        case .admin: "Admin"
        case .viewer: "Viewer (reads only)"
        }
    }
}
