public import Foundation

/// Where applying a saved settings change to the customers it concerns stands (`settings_applications`): the change
/// (the settings version saved), its phases — matching again the customers whose matching failed (after a change of
/// match fields), then carrying the mappings to the pairs already linked (after a change of mappings) — how many of
/// each are done, and whether it runs, is paused by a person, finished, or was superseded by a newer change (which
/// takes over what this one still had to do).
public struct SettingsApplication: Sendable, Hashable, Codable {
    /// What the application is doing.
    public enum State: String, Sendable, Hashable, Codable {
        /// Being worked through, a chunk at a time.
        case running
        /// Stopped by a person after a chunk; resuming goes on from the same customer or link.
        case paused
        /// Every customer it concerns has had the change applied.
        case finished
        /// A newer change took over before this one finished.
        case superseded
    }

    /// The part of the work in progress.
    public enum Phase: String, Sendable, Hashable, Codable {
        /// Matching again, under the new match fields, the customers whose matching failed.
        case failures
        /// Carrying the mappings to the pairs already linked.
        case links
    }

    /// The position of the `SettingsChanged` event it applies.
    public var position: Int64
    /// The settings version that change saved.
    public var settingsVersion: Int64
    /// Running, paused, finished or superseded.
    public var state: State
    /// The phase in progress (the last one, once finished).
    public var phase: Phase
    /// Whether the mappings are carried to the linked pairs (the mappings changed); otherwise only failures are matched.
    public var appliesLinks: Bool
    /// Customers whose matching had failed, counted when their phase began; nil when the match fields did not change
    /// (nothing to match again).
    public var failures: Int?
    /// Of those, matched again so far.
    public var failuresDone: Int
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
        position: Int64, settingsVersion: Int64, state: State, phase: Phase = .links, appliesLinks: Bool = true, failures: Int? = nil,
        failuresDone: Int = 0, total: Int, done: Int, startedAt: Date, finishedAt: Date? = nil
    ) {
        self.position = position
        self.settingsVersion = settingsVersion
        self.state = state
        self.phase = phase
        self.appliesLinks = appliesLinks
        self.failures = failures
        self.failuresDone = failuresDone
        self.total = total
        self.done = done
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// A line for people: "Applying settings version 4 to 240 linked pairs: 120 done."
    public var sentence: String {
        let version = "settings version \(settingsVersion)"
        let pairs = total == 1 ? "1 linked pair" : "\(total) linked pairs"
        let count = failures ?? 0
        let failed = count == 1 ? "the 1 customer whose matching had failed" : "the \(count) customers whose matching had failed"
        switch (state, phase) {
        case (.running, .failures):
            return failures == nil
                ? "Waiting for the match index to be rebuilt for the match fields of \(version) before matching failed customers again."
                : "Matching \(failed) again under the match fields of \(version): \(failuresDone) done."
        case (.running, .links):
            return "Applying \(version) to \(pairs): \(done) done."
        case (.paused, .failures):
            return "Paused after matching \(failuresDone) of \(failed) again (\(version)); resume to do the rest."
        case (.paused, .links):
            return "Paused after \(done) of \(pairs) (\(version)); resume to apply the rest."
        case (.finished, _):
            guard failures != nil else { return "Settings version \(settingsVersion) was applied to \(pairs)." }
            let matched = count == 0
                ? "No customer's matching had failed under the old match fields"
                : "\(count == 1 ? "The 1 customer whose matching had failed was" : "The \(count) customers whose matching had failed were") matched again under \(version)"
            return appliesLinks ? "\(matched); the settings were applied to \(pairs)." : "\(matched)."
        case (.superseded, .failures):
            return "Settings version \(settingsVersion) matched \(failuresDone) of \(failed) again before a newer change took over."
        case (.superseded, .links):
            return "Settings version \(settingsVersion) was applied to \(done) of \(pairs) before a newer change took over."
        }
    }
}
