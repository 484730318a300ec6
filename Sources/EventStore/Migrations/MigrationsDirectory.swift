public import Foundation

/// Finds the `db/migrations` directory of an Accord checkout or installation.
public enum MigrationsDirectory {
    /// The directory to use: `ACCORD_MIGRATIONS_DIR` if set, otherwise the first `db/migrations` found walking up
    /// from the current directory, then from the running executable (so `.build/debug/accord` finds the checkout's).
    /// - Throws: ``MigrationError`` with code `directoryUnreadable` saying where it looked.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        if let explicit = environment["ACCORD_MIGRATIONS_DIR"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit, isDirectory: true)
        }
        let starts = [
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true),
            URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent(),
        ]
        for start in starts {
            var directory = start.standardizedFileURL
            while true {
                let candidate = directory.appendingPathComponent("db/migrations", isDirectory: true)
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue {
                    return candidate
                }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        throw MigrationError(
            code: .directoryUnreadable,
            message: "no db/migrations directory found above \(starts.map(\.path).joined(separator: " or ")); set ACCORD_MIGRATIONS_DIR")
    }
}
