public import Foundation

/// Where carrying a change of mappings to the pairs already linked stands (`settings_applications`): the change
/// (the settings version saved), how many linked pairs it concerns and how many are done, and whether it runs, is
/// paused by a person, finished, or was superseded by a newer change (which carries every mapping itself).
public struct SettingsApplication: Sendable, Hashable, Codable {
    /// What the application is doing.
    public enum State: String, Sendable, Hashable, Codable {
        /// Being worked through, a chunk of links at a time.
        case running
        /// Stopped by a person after a chunk; resuming goes on from the same link.
        case paused
        /// Every linked pair has had the change applied.
        case finished
        /// A newer change of mappings took over before this one finished.
        case superseded
    }

    /// The position of the `SettingsChanged` event it applies.
    public var position: Int64
    /// The settings version that change saved.
    public var settingsVersion: Int64
    /// Running, paused, finished or superseded.
    public var state: State
    /// Linked pairs when it started (links made meanwhile are counted as they are reached).
    public var total: Int
    /// Linked pairs done so far.
    public var done: Int
    /// When the change was recorded for application.
    public var startedAt: Date
    /// When it finished or was superseded.
    public var finishedAt: Date?

    /// Makes a status.
    public init(
        position: Int64, settingsVersion: Int64, state: State, total: Int, done: Int, startedAt: Date, finishedAt: Date? = nil
    ) {
        self.position = position
        self.settingsVersion = settingsVersion
        self.state = state
        self.total = total
        self.done = done
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// A line for people: "Applying the mappings of settings version 4 to the linked pairs: 120 of 240 done."
    public var sentence: String {
        let pairs = total == 1 ? "1 linked pair" : "\(total) linked pairs"
        switch state {
        case .running: return "Applying the mappings of settings version \(settingsVersion) to \(pairs): \(done) done."
        case .paused: return "Paused after \(done) of \(pairs) (settings version \(settingsVersion)); resume to apply the rest."
        case .finished: return "The mappings of settings version \(settingsVersion) were applied to \(pairs)."
        case .superseded: return "Settings version \(settingsVersion) was applied to \(done) of \(pairs) before a newer change took over."
        }
    }
}
