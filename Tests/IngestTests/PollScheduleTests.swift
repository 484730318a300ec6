import EventStore
import Foundation
import Testing

@testable import Ingest

@Suite("the e-conomic poller's turns")
struct PollScheduleTests {
    let start = ContinuousClock.now
    let a = try! TenantID("a")
    let b = try! TenantID("b")
    let c = try! TenantID("c")

    func schedule(_ tenants: [TenantID], places: Int) -> PollSchedule {
        var schedule = PollSchedule(interval: .seconds(30), fullReadInterval: .seconds(3600), maxConcurrent: places)
        schedule.update(tenants: tenants)
        return schedule
    }

    @Test("tenants start in turns, at most the places there are, and a tenant being read is never started again")
    func places() {
        var schedule = schedule([a, b, c], places: 2)
        #expect(schedule.start(now: start).map(\.tenant) == [a, b])
        #expect(schedule.start(now: start).isEmpty, "no place is free")
        #expect(schedule.nextDue(now: start) == nil, "a read that ends frees a place")
        let readOfA = PollSchedule.Start(tenant: a, full: true, since: nil)
        schedule.finished(readOfA, at: start + .seconds(1), newest: nil, succeeded: true)
        #expect(schedule.start(now: start + .seconds(1)).map(\.tenant) == [c], "c has never been read; a is not due yet")
    }

    @Test("a slow tenant holds one place while another is read at its own cadence, again and again")
    func slowTenant() {
        var schedule = schedule([a, b], places: 2)
        #expect(schedule.start(now: start).map(\.tenant) == [a, b])
        // a's e-conomic does not answer; b's read ends after a second, and b is due 30 s later, each time.
        var now = start
        var readsOfB = 1
        for _ in 0..<3 {
            now = now + .seconds(1)
            schedule.finished(PollSchedule.Start(tenant: b, full: readsOfB == 1, since: nil), at: now, newest: nil, succeeded: true)
            #expect(schedule.start(now: now + .seconds(29)).isEmpty, "b is not due before its interval")
            #expect(schedule.nextDue(now: now) == now + .seconds(30))
            now = now + .seconds(30)
            #expect(schedule.start(now: now).map(\.tenant) == [b], "a, still being read, is not started twice")
            readsOfB += 1
        }
        #expect(readsOfB == 4)
    }

    @Test("the tenant that has waited longest goes first; never-read tenants first of all, in the order listed")
    func longestWaitingFirst() {
        var schedule = schedule([a, b, c], places: 1)
        #expect(schedule.start(now: start).map(\.tenant) == [a])
        schedule.finished(.init(tenant: a, full: true, since: nil), at: start + .seconds(1), newest: nil, succeeded: true)
        #expect(schedule.start(now: start + .seconds(1)).map(\.tenant) == [b])
        schedule.finished(.init(tenant: b, full: true, since: nil), at: start + .seconds(2), newest: nil, succeeded: true)
        #expect(schedule.start(now: start + .seconds(2)).map(\.tenant) == [c])
        schedule.finished(.init(tenant: c, full: true, since: nil), at: start + .seconds(3), newest: nil, succeeded: true)
        // All three are due at +40 s: a ended first, so it goes first.
        #expect(schedule.start(now: start + .seconds(40)).map(\.tenant) == [a])
    }

    @Test("a full read first and every full-read interval; in between only what changed since the newest seen, kept after a failure")
    func fullAndIncrementalReads() throws {
        var schedule = schedule([a], places: 1)
        let first = try #require(schedule.start(now: start).first)
        #expect(first.full && first.since == nil)
        let newest = Date(timeIntervalSince1970: 1_800_000_000)
        schedule.finished(first, at: start + .seconds(1), newest: newest, succeeded: true)

        let second = try #require(schedule.start(now: start + .seconds(31)).first)
        #expect(!second.full && second.since == newest)
        schedule.finished(second, at: start + .seconds(32), newest: nil, succeeded: false)

        let third = try #require(schedule.start(now: start + .seconds(62)).first)
        #expect(!third.full && third.since == newest, "a failed read starts again from the same point")
        schedule.finished(third, at: start + .seconds(63), newest: newest.addingTimeInterval(5), succeeded: true)

        let later = try #require(schedule.start(now: start + .seconds(3601)).first)
        #expect(later.full && later.since == nil)
    }

    @Test("a tenant no longer listed is not started again")
    func unlisted() {
        var schedule = schedule([a, b], places: 2)
        _ = schedule.start(now: start)
        schedule.finished(.init(tenant: a, full: true, since: nil), at: start, newest: nil, succeeded: true)
        schedule.finished(.init(tenant: b, full: true, since: nil), at: start, newest: nil, succeeded: true)
        schedule.update(tenants: [b])
        #expect(schedule.start(now: start + .seconds(30)).map(\.tenant) == [b])
    }
}
