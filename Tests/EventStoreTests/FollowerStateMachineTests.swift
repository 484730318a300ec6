import Testing

@testable import EventStore

/// The follower's rules, without a database or a clock: time is passed in as data.
@Suite("follower state machine")
struct FollowerStateMachineTests {
    let start = ContinuousClock.now
    let configuration = Follower.Configuration(pollInterval: .seconds(1))

    @Test("after work it steps again at once; idle without a ring, it waits a whole poll interval")
    func workThenIdle() {
        var machine = FollowerStateMachine(configuration: configuration)
        #expect(machine.stepped(.worked, at: start) == .step)
        #expect(machine.stepped(.worked, at: start) == .step)
        #expect(machine.stepped(.idle(), at: start) == .wait(.seconds(1)))
        #expect(machine.stepped(.idle(), at: start + .seconds(5)) == .wait(.seconds(1)))
    }

    @Test("after a ring that found nothing, it re-reads at short, growing intervals, then falls back to polling")
    func rereadsAfterARing() {
        var machine = FollowerStateMachine(configuration: configuration)
        #expect(machine.stepped(.idle(), at: start) == .wait(.seconds(1)))
        machine.rang(at: start)
        var waits: [Duration] = []
        var now = start
        for _ in 0..<8 {
            guard case .wait(let timeout) = machine.stepped(.idle(), at: now) else {
                Issue.record("an idle follower should wait")
                return
            }
            waits.append(timeout)
            now += timeout
        }
        #expect(waits.map { $0 / .milliseconds(1) } == [10, 20, 40, 80, 160, 320, 500, 500])
        // The window lasts 30 seconds from the ring: past it, polling again.
        #expect(machine.stepped(.idle(), at: start + .seconds(29)) == .wait(.milliseconds(500)))
        #expect(machine.stepped(.idle(), at: start + .seconds(30)) == .wait(.seconds(1)))
        #expect(machine.rereadUntil == nil)
        #expect(machine.stepped(.idle(), at: start + .seconds(31)) == .wait(.seconds(1)))
    }

    @Test("work does not end the re-reads; a ring extends them; a ring after they ended starts them from the first delay")
    func ringsExtendTheRereads() {
        var machine = FollowerStateMachine(configuration: configuration)
        machine.rang(at: start)
        #expect(machine.stepped(.idle(), at: start) == .wait(.milliseconds(10)))
        #expect(machine.stepped(.idle(), at: start) == .wait(.milliseconds(20)))
        // A step may read older events while the announced one is still behind the watermark.
        #expect(machine.stepped(.worked, at: start) == .step)
        #expect(machine.stepped(.idle(), at: start) == .wait(.milliseconds(40)))
        machine.rang(at: start + .seconds(1))
        #expect(machine.stepped(.idle(), at: start + .seconds(1)) == .wait(.milliseconds(80)))
        #expect(machine.stepped(.idle(), at: start + .seconds(30)) == .wait(.milliseconds(160)))
        #expect(machine.stepped(.idle(), at: start + .seconds(31)) == .wait(.seconds(1)))
        machine.rang(at: start + .seconds(40))
        #expect(machine.stepped(.idle(), at: start + .seconds(40)) == .wait(.milliseconds(10)))
    }

    @Test("on a busy log, rings do not start the short re-reads over: they grow to the longest delay and stay there")
    func busyLog() {
        var machine = FollowerStateMachine(configuration: configuration)
        var waits: [Double] = []
        for index in 0..<10 {
            let now = start + .milliseconds(30 * index)
            machine.rang(at: now)
            #expect(machine.stepped(.worked, at: now) == .step)
            guard case .wait(let timeout) = machine.stepped(.idle(), at: now) else {
                Issue.record("an idle follower should wait")
                return
            }
            waits.append(timeout / .milliseconds(1))
        }
        #expect(waits == [10, 20, 40, 80, 160, 320, 500, 500, 500, 500])
    }

    @Test("with no re-read window, a ring waits for the doorbell or the poll interval")
    func noWindow() {
        var machine = FollowerStateMachine(configuration: Follower.Configuration(pollInterval: .seconds(1), rereadWindow: .zero))
        machine.rang(at: start)
        #expect(machine.stepped(.idle(), at: start) == .wait(.seconds(1)))
    }

    @Test("short re-reads never wait longer than the poll interval")
    func rereadsCappedByThePollInterval() {
        var machine = FollowerStateMachine(configuration: Follower.Configuration(pollInterval: .milliseconds(30)))
        machine.rang(at: start)
        #expect(machine.stepped(.idle(), at: start) == .wait(.milliseconds(10)))
        #expect(machine.stepped(.idle(), at: start) == .wait(.milliseconds(20)))
        #expect(machine.stepped(.idle(), at: start) == .wait(.milliseconds(30)))
        #expect(machine.stepped(.idle(), at: start) == .wait(.milliseconds(30)))
    }

    @Test("work that falls due sooner than the poll interval shortens the wait; later work does not lengthen it")
    func nextDue() {
        var machine = FollowerStateMachine(configuration: configuration)
        #expect(machine.stepped(.idle(nextDue: .milliseconds(250)), at: start) == .wait(.milliseconds(250)))
        #expect(machine.stepped(.idle(nextDue: .seconds(3600)), at: start) == .wait(.seconds(1)))
        #expect(machine.stepped(.idle(nextDue: .milliseconds(-5)), at: start) == .wait(.zero))
        machine.rang(at: start)
        #expect(machine.stepped(.idle(nextDue: .milliseconds(5)), at: start) == .wait(.milliseconds(5)))
        #expect(machine.stepped(.idle(nextDue: .milliseconds(500)), at: start) == .wait(.milliseconds(20)))
    }

    @Test("failures back off exponentially up to the cap, and the next success resets the backoff")
    func backoff() {
        var machine = FollowerStateMachine(configuration: configuration)
        var sleeps: [Duration] = []
        for _ in 0..<10 {
            guard case .sleep(let delay) = machine.failed() else {
                Issue.record("a failure should sleep")
                return
            }
            sleeps.append(delay)
        }
        #expect(sleeps.map { $0 / .milliseconds(1) } == [200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000])
        #expect(machine.stepped(.idle(), at: start) == .wait(.seconds(1)))
        #expect(machine.failed() == .sleep(.milliseconds(200)))
        #expect(machine.failed() == .sleep(.milliseconds(400)))
        #expect(machine.stepped(.locked, at: start) == .sleep(.seconds(1)))
        #expect(machine.failed() == .sleep(.milliseconds(200)))
    }

    @Test("a shard locked elsewhere sleeps a poll interval; busy slots wait for the doorbell, never re-reading early")
    func lockedAndBusy() {
        var machine = FollowerStateMachine(configuration: configuration)
        machine.rang(at: start)
        #expect(machine.stepped(.locked, at: start) == .sleep(.seconds(1)))
        #expect(machine.stepped(.busy, at: start) == .wait(.seconds(1)))
        // Neither used up a short re-read.
        #expect(machine.stepped(.idle(), at: start) == .wait(.milliseconds(10)))
    }

    @Test("with a gather time, a ring soon after a step waits out the rest of it; a ring after a quiet spell steps at once")
    func gathersRings() {
        var machine = FollowerStateMachine(configuration: Follower.Configuration(pollInterval: .seconds(1), gather: .milliseconds(50)))
        // Nothing stepped yet: the first ring steps at once.
        #expect(machine.gatherDelay(at: start) == nil)
        #expect(machine.stepped(.idle(), at: start) == .wait(.milliseconds(1000)))
        machine.rang(at: start + .milliseconds(20))
        #expect(machine.gatherDelay(at: start + .milliseconds(20)) == .milliseconds(30))
        // A step that ends later moves the gather along with it.
        #expect(machine.stepped(.idle(), at: start + .milliseconds(70)) == .wait(.milliseconds(10)))
        #expect(machine.gatherDelay(at: start + .milliseconds(71)) == .milliseconds(49))
        // Past the gather time since the last step: at once.
        #expect(machine.gatherDelay(at: start + .milliseconds(120)) == nil)
        #expect(machine.gatherDelay(at: start + .seconds(5)) == nil)
        // Without a gather time (the default) a ring never waits.
        var plain = FollowerStateMachine(configuration: configuration)
        _ = plain.stepped(.idle(), at: start)
        #expect(plain.gatherDelay(at: start) == nil)
    }
}
