import PGClient
import Testing

@Suite("doorbell")
struct DoorbellTests {
    @Test("a ring before the wait wakes it at once; rings are not counted")
    func ringBeforeWait() async {
        let doorbell = Doorbell()
        doorbell.ring()
        doorbell.ring()
        #expect(await doorbell.wait(timeout: .seconds(3600)))
        #expect(await doorbell.wait(timeout: .milliseconds(10)) == false)
    }

    @Test("a ring during the wait wakes it")
    func ringDuringWait() async {
        let doorbell = Doorbell()
        async let woken = doorbell.wait(timeout: .seconds(3600))
        try? await Task.sleep(for: .milliseconds(50))
        doorbell.ring()
        #expect(await woken)
    }

    @Test("no ring is lost, even when rings race the timeout", arguments: 0..<5)
    func ringsRacingTimeouts(round: Int) async {
        // A ringer rings repeatedly while a waiter keeps waiting with timeouts as short as the rings' spacing.
        // Every ring must be seen by some wait: after the ringer's last ring, a long wait returns at once
        // (or an earlier short wait saw it).
        let doorbell = Doorbell()
        let rings = 200
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for _ in 0..<rings {
                    doorbell.ring()
                    try? await Task.sleep(for: .microseconds(200))
                }
            }
            group.addTask {
                for _ in 0..<rings { _ = await doorbell.wait(timeout: .microseconds(150)) }
            }
        }
        doorbell.ring()
        #expect(await doorbell.wait(timeout: .seconds(3600)), "the final ring is never lost")
    }

    @Test("a cancelled wait returns false and leaves a later ring for the next wait")
    func cancellation() async {
        let doorbell = Doorbell()
        let waiter = Task { await doorbell.wait(timeout: .seconds(3600)) }
        try? await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        #expect(await waiter.value == false)
        doorbell.ring()
        #expect(await doorbell.wait(timeout: .seconds(3600)))
    }
}
