import Synchronization

/// Wakes one waiting task when something may have changed (e.g. a `NOTIFY` arrived), with a timeout as the
/// fallback. Rings are not counted: several rings before a wait wake it once. A ring is never lost: one that
/// arrives while nobody waits, or while a wait is timing out, wakes the next wait at once.
///
/// One task waits at a time (the owner's loop); `ring()` may be called from anywhere.
public final class Doorbell: Sendable {
    private struct State {
        var rung = false
        /// Resumed with true by a ring, with false when the wait gives up (timeout or cancellation).
        var waiter: CheckedContinuation<Bool, Never>?
    }

    private let state = Mutex(State())

    /// Makes a doorbell that has not been rung.
    public init() {}

    /// Wakes the waiting task, or the next one to wait.
    public func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard let waiter = state.waiter else {
                state.rung = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: true)
    }

    /// Waits until rung or until `timeout` passes, whichever is first; returns at once if rung since the last wait.
    /// - Returns: true if it was rung, false on timeout or cancellation.
    @discardableResult
    public func wait(timeout: Duration) async -> Bool {
        if consumeRing() { return true }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.waitForRing() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            // Collect both children: the waiter may have been rung in the instant the timeout won.
            var rung = false
            for await result in group {
                rung = rung || result
                group.cancelAll()
            }
            return rung || consumeRing()
        }
    }

    private func consumeRing() -> Bool {
        state.withLock { state in
            defer { state.rung = false }
            return state.rung
        }
    }

    private func waitForRing() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let rungAlready = state.withLock { state -> Bool in
                    if state.rung {
                        state.rung = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if rungAlready {
                    continuation.resume(returning: true)
                } else if Task.isCancelled {
                    // Cancelled before the continuation was stored: the handler found nothing to resume.
                    releaseWaiter()
                }
            }
        } onCancel: {
            releaseWaiter()
        }
    }

    private func releaseWaiter() {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: false)
    }
}
