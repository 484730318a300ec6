/// Readiness as last asked, shared by every `/ready` call: at most one question to the database per ``maxAge``,
/// however many load balancers and orchestrators ask, and callers that arrive while it is being asked wait for
/// that same answer.
actor ReadinessCache {
    /// What `/ready` reports.
    struct Answer: Sendable, Equatable {
        /// The database answered within the time allowed.
        var databaseAnswers: Bool
        /// Every read model has a built version.
        var readModelsBuilt: Bool

        /// Both.
        var ready: Bool { databaseAnswers && readModelsBuilt }
    }

    private let probe: any ServerHealth
    private let maxAge: Duration
    private let timeout: Duration
    private var last: (answer: Answer, at: ContinuousClock.Instant)?
    private var asking: Task<Answer, Never>?

    /// Makes the cache.
    /// - Parameters:
    ///   - maxAge: how long an answer is reused.
    ///   - timeout: how long the database may take to answer before it counts as unreachable.
    init(probe: any ServerHealth, maxAge: Duration = .seconds(1), timeout: Duration = .seconds(5)) {
        self.probe = probe
        self.maxAge = maxAge
        self.timeout = timeout
    }

    /// The last answer if it is fresh enough, else a new one.
    func current() async -> Answer {
        if let last, ContinuousClock.now - last.at < maxAge { return last.answer }
        if let asking { return await asking.value }
        let (probe, timeout) = (self.probe, self.timeout)
        let task = Task { await Self.ask(probe, timeout: timeout) }
        asking = task
        let answer = await task.value
        last = (answer, ContinuousClock.now)
        asking = nil
        return answer
    }

    private static func ask(_ probe: any ServerHealth, timeout: Duration) async -> Answer {
        do {
            let built = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask { try await probe.readModelsBuilt() }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw CancellationError()
                }
                defer { group.cancelAll() }
                return try await group.next() ?? false
            }
            return Answer(databaseAnswers: true, readModelsBuilt: built)
        } catch {
            return Answer(databaseAnswers: false, readModelsBuilt: false)
        }
    }
}
