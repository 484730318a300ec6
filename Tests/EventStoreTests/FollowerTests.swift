import Logging
import PGClient
import PostgresTestSupport
import Synchronization
import Testing

@testable import EventStore

/// The follower's driver with a real doorbell and no database. Every poll interval is an hour: a step that
/// happens at all was woken by a ring or by the state machine, and a missing wake-up hangs into the time limit.
@Suite("follower", .timeLimit(.minutes(1)))
struct FollowerTests {
    let logger = Logger(label: "accord.tests.follower")

    @Test("a ring wakes an idle follower, and a ring that found nothing is followed by re-reads without another ring")
    func ringThenReread() async throws {
        let follower = Follower(listener: nil, configuration: .init(pollInterval: .seconds(3600)), logger: logger, failureMessage: "step failed")
        let (reports, report) = AsyncStream.makeStream(of: Int.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let steps = Counter()
                await follower.run(while: { steps.value < 3 }) {
                    let step = steps.increment()
                    report.yield(step)
                    // 1: caught up; 2: woken by the ring, but what it announced is not readable yet; 3: a re-read.
                    return step < 3 ? .idle() : .worked
                }
                report.finish()
            }
            var seen: [Int] = []
            for await step in reports {
                seen.append(step)
                if step == 1 { follower.doorbell.ring() }
            }
            #expect(seen == [1, 2, 3])
            try await group.waitForAll()
        }
    }

    @Test("a failing step is retried, never skipped, and the follower goes on after it succeeds")
    func retriesFailures() async {
        struct Failure: Error {}
        let configuration = Follower.Configuration(pollInterval: .seconds(3600), firstBackoff: .milliseconds(1), maxBackoff: .milliseconds(4))
        let follower = Follower(listener: nil, configuration: configuration, logger: logger, failureMessage: "step failed")
        var attempts = 0
        var outcomes: [String] = []
        await follower.run(while: { outcomes.count < 5 }) {
            attempts += 1
            guard attempts > 3 else {
                outcomes.append("failed")
                throw Failure()
            }
            outcomes.append("worked")
            return .worked
        }
        #expect(outcomes == ["failed", "failed", "failed", "worked", "worked"])
    }

    @Test("it stops between steps when told to, and a ring ends the wait that would otherwise last a poll interval")
    func stopsWhenTold() async throws {
        let follower = Follower(listener: nil, configuration: .init(pollInterval: .seconds(3600)), logger: logger, failureMessage: "step failed")
        let stopping = Flag()
        let (steps, report) = AsyncStream.makeStream(of: Void.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await follower.run(while: { !stopping.isSet }) {
                    report.yield()
                    return .idle()
                }
                report.finish()
            }
            var count = 0
            for await _ in steps {
                count += 1
                stopping.set()
                follower.doorbell.ring()
            }
            #expect(count == 1)
            try await group.waitForAll()
        }
    }
}

/// A counter shared by a step and its stop condition.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .acquiring) }
    func increment() -> Int { count.add(1, ordering: .acquiringAndReleasing).newValue }
}
