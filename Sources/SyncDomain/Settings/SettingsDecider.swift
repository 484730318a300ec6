/// Decides and folds the `settings` stream.
public enum SettingsDecider: Decider {
    /// Why a settings change is refused.
    public enum Error: Swift.Error, Hashable, Sendable, CustomStringConvertible {
        /// Someone else changed the settings since the editor loaded them.
        case staleSettingsVersion(current: Int, given: Int)
        /// The new settings are invalid.
        case invalid(SettingsError)

        /// A message a user can act on.
        public var description: String {
            switch self {
            case .staleSettingsVersion(let current, let given):
                "The settings were changed meanwhile (now version \(current), your edit is based on version \(given)); reload and apply your change again."
            case .invalid(let error):
                error.description
            }
        }
    }

    /// A stream with no events: the default settings are in force.
    public static var initial: SettingsState { .initial }

    /// Decides a settings change: `SettingsChanged` with version + 1 and flags saying whether match
    /// fields or mappings changed; nothing when the rules are identical.
    /// - Parameters:
    ///   - command: The change.
    ///   - state: The stream's state.
    ///   - context: Nothing: the settings stream is all the decision needs.
    /// - Throws: ``Error/staleSettingsVersion(current:given:)`` or ``Error/invalid(_:)``.
    public static func decide(_ command: UpdateSettings, state: SettingsState, context: Void = ()) throws(Error) -> [SyncEvent] {
        guard command.expectedVersion == state.version else {
            throw .staleSettingsVersion(current: state.version, given: command.expectedVersion)
        }
        let current = state.effective
        let next = command.settings.withVersion(state.version + 1)
        do {
            try next.validate()
        } catch {
            throw .invalid(error)
        }
        guard next.withVersion(current.version) != current else { return [] }
        let changes = SettingsChange(from: current, to: next)
        return [
            .settingsChanged(
                SettingsChanged(
                    settings: next, matchFieldsChanged: changes.matchFieldsChanged, mappingsChanged: changes.mappingsChanged,
                    numberWriteBackChanged: changes.numberWriteBackChanged))
        ]
    }

    /// Applies one event; other events leave the state unchanged.
    public static func evolve(_ state: SettingsState, _ event: SyncEvent) -> SettingsState {
        guard case .settingsChanged(let e) = event else { return state }
        return SettingsState(recorded: e.settings)
    }
}
