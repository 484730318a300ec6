import Foundation
import Logging

/// The sandbox's state: reference data, customers, knobs, the seeded generator and counters.
/// An actor, so concurrent requests see each write whole.
actor SandboxStore {
    private let configuration: SandboxConfiguration
    private let logger: Logger
    private var reference: SandboxSeed
    private var customers: [Int: SandboxCustomer] = [:]
    private var nextConsecutive: Int
    private var generator: SeededGenerator
    private(set) var knobs: SandboxKnobs
    private(set) var scheduledFaults: [SandboxFault] = []
    private var requestCounts: [String: Int] = [:]
    private var created = 0
    private var replaced = 0
    private var deleted = 0
    private var faults: [String: Int] = [:]
    private var watch = OverwriteWatch()

    init(configuration: SandboxConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        self.reference = configuration.seed
        self.reference.customers = []
        self.generator = SeededGenerator(seed: configuration.randomSeed)
        self.knobs = configuration.knobs
        if case .consecutive(let start) = configuration.numbering {
            self.nextConsecutive = start
        } else {
            self.nextConsecutive = 1
        }
        if let path = configuration.persistencePath, FileManager.default.fileExists(atPath: path) {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let state = try decoder.decode(PersistedState.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            self.reference = state.reference
            self.customers = Dictionary(state.customers.map { ($0.customerNumber, $0) }, uniquingKeysWith: { _, last in last })
            self.nextConsecutive = state.nextConsecutive
            self.generator = SeededGenerator(seed: state.generatorState)
            let count = state.customers.count
            logger.info("Loaded sandbox state", metadata: ["sandbox.path": "\(path)", "sandbox.customers": "\(count)"])
        } else {
            for customer in configuration.seed.customers {
                customers[customer.customerNumber] = customer
            }
        }
    }

    // MARK: Reference data

    var referenceData: SandboxSeed { reference }

    // MARK: Customers

    struct Page: Sendable {
        var items: [SandboxCustomer]
        var results: Int
        var resultsWithoutFilter: Int
    }

    func customers(filter: CustomerFilter?, sort: CustomerSort, skipPages: Int, pageSize: Int) -> Page {
        // Filtered before it is copied: a lookup by e-mail among many customers copies only what matches.
        var matching = filter.map { customers.values.filter($0.matches) } ?? Array(customers.values)
        matching.sort(by: sort.areInIncreasingOrder)
        let start = min(skipPages.multipliedReportingOverflow(by: pageSize).overflow ? Int.max : skipPages * pageSize, matching.count)
        let end = min(start + pageSize, matching.count)
        let page = Page(items: Array(matching[start..<end]), results: matching.count, resultsWithoutFilter: customers.count)
        if knobs.deletesPerListedPage > 0, end < matching.count {
            for customer in page.items.prefix(knobs.deletesPerListedPage) {
                customers[customer.customerNumber] = nil
                deleted += 1
            }
            persist()
        }
        return page
    }

    func customer(number: Int) -> SandboxCustomer? {
        customers[number]
    }

    /// The customer as the API reads it (`GET /customers/{n}`): what the reader writes next is based on this read.
    func read(number: Int) -> SandboxCustomer? {
        guard let customer = customers[number] else { return nil }
        watch.read(number)
        return customer
    }

    /// Edits the API missed by writing back what it had read (see ``SandboxOverwrite``).
    var overwrites: [SandboxOverwrite] { watch.overwrites }

    func createCustomer(_ body: [String: JSONValue], baseURL: String, countAsCreated: Bool = true) throws(SandboxError) -> SandboxCustomer {
        let input = try validator(baseURL: baseURL).validate(body, mode: .create).checked()
        let number: Int
        if let chosen = input.customerNumber { number = chosen } else { number = try assignNumber() }
        var customer = SandboxCustomer(customerNumber: number, name: input.name, lastUpdated: now())
        input.apply(to: &customer)
        customers[number] = customer
        if countAsCreated { created += 1 }
        persist()
        return customer
    }

    func replaceCustomer(number: Int, _ body: [String: JSONValue], baseURL: String) throws(SandboxError) -> SandboxCustomer {
        let customer = try replace(number: number, body, baseURL: baseURL)
        replaced += 1
        watch.replaced(number, with: customer)
        return customer
    }

    /// An accountant's edit, as made in e-conomic's own screens: `changes` (write shape; `null` clears) laid over
    /// the customer as `writeShape` renders it, in one step — no read-then-write of its own. Validated as a `PUT`.
    func editCustomer(
        number: Int, changes: [String: JSONValue], baseURL: String, writeShape: @Sendable (SandboxCustomer) -> [String: JSONValue]
    ) throws(SandboxError) -> (customer: SandboxCustomer, changed: Set<String>) {
        guard let before = customers[number] else { throw .notFound() }
        var body = writeShape(before)
        for (key, value) in changes { body[key] = value == .null ? nil : value }
        let customer = try replace(number: number, body, baseURL: baseURL)
        watch.edited(number, from: before, to: customer)
        return (customer, OverwriteWatch.changed(from: before, to: customer))
    }

    private func replace(number: Int, _ body: [String: JSONValue], baseURL: String) throws(SandboxError) -> SandboxCustomer {
        guard var customer = customers[number] else { throw .notFound() }
        let input = try validator(baseURL: baseURL).validate(body, mode: .replace(number)).checked()
        input.apply(to: &customer)
        customer.lastUpdated = now()
        customers[number] = customer
        persist()
        return customer
    }

    func deleteCustomer(number: Int) throws(SandboxError) {
        guard customers.removeValue(forKey: number) != nil else { throw .notFound() }
        watch.deleted(number)
        deleted += 1
        persist()
    }

    private func validator(baseURL: String) -> CustomerInputValidator {
        let taken = Set(customers.keys)
        return CustomerInputValidator(seed: reference, baseURL: baseURL, isNumberTaken: { taken.contains($0) })
    }

    private func now() -> Date {
        SandboxTime.truncated(Date())
    }

    private func assignNumber() throws(SandboxError) -> Int {
        switch configuration.numbering {
        case .consecutive:
            while customers[nextConsecutive] != nil { nextConsecutive += 1 }
            guard nextConsecutive <= CustomerInputValidator.maxCustomerNumber else { throw Self.numbersExhausted() }
            defer { nextConsecutive += 1 }
            return nextConsecutive
        case .scattered(let range):
            let range = max(range.lowerBound, 1)...min(range.upperBound, CustomerInputValidator.maxCustomerNumber)
            for _ in 0..<1000 {
                let candidate = Int.random(in: range, using: &generator)
                if customers[candidate] == nil { return candidate }
            }
            guard let free = range.first(where: { customers[$0] == nil }) else { throw Self.numbersExhausted() }
            return free
        }
    }

    private static func numbersExhausted() -> SandboxError {
        .validation([
            PropertyError(
                propertyName: "customerNumber", errorMessage: "No free customer number left.", errorCode: SandboxErrorCode.range,
                inputValue: nil, developerHint: "Delete customers or widen the sandbox's numbering range.")
        ])
    }

    // MARK: Admin

    /// Replaces all data with the seed and clears counters, scheduled faults and the generator.
    func reset(to seed: SandboxSeed, randomSeed: UInt64?) {
        reference = seed
        reference.customers = []
        customers = Dictionary(seed.customers.map { ($0.customerNumber, $0) }, uniquingKeysWith: { _, last in last })
        generator = SeededGenerator(seed: randomSeed ?? configuration.randomSeed)
        if case .consecutive(let start) = configuration.numbering { nextConsecutive = start }
        knobs = configuration.knobs
        scheduledFaults = []
        watch = OverwriteWatch()
        resetStats()
        persist()
    }

    /// Adds customers given in e-conomic's write shape; `lastUpdated`, `balance` and `barred` may be set too.
    /// Validation is the same as for `POST /customers`; the first invalid one stops the batch.
    func seedCustomers(_ bodies: [[String: JSONValue]], baseURL: String) throws(SandboxError) -> [Int] {
        var numbers: [Int] = []
        for body in bodies {
            var customer = try createCustomer(body, baseURL: baseURL, countAsCreated: false)
            if case .string(let text)? = body["lastUpdated"], let date = SandboxTime.parse(text) { customer.lastUpdated = date }
            switch body["balance"] {
            case .int(let n)?: customer.balance = Double(n)
            case .double(let n)?: customer.balance = n
            default: break
            }
            customer.dueAmount = customer.balance
            customers[customer.customerNumber] = customer
            numbers.append(customer.customerNumber)
        }
        persist()
        return numbers
    }

    /// Adds `count` generated customers (`Generated Customer 00001`, `customer00001@example.test`, ...).
    func generateCustomers(count: Int, namePrefix: String) throws(SandboxError) -> [Int] {
        guard count > 0 else { return [] }
        var numbers: [Int] = []
        numbers.reserveCapacity(count)
        let stamp = now()
        for i in 1...count {
            let suffix = String(i).count >= 5 ? String(i) : String(repeating: "0", count: 5 - String(i).count) + String(i)
            let number = try assignNumber()
            let customer = SandboxCustomer(
                customerNumber: number, name: "\(namePrefix) \(suffix)", city: "Copenhagen", country: "Danmark",
                email: "customer\(suffix)@example.test", lastUpdated: stamp)
            customers[number] = customer
            numbers.append(number)
        }
        persist()
        return numbers
    }

    func setKnobs(_ knobs: SandboxKnobs) {
        self.knobs = knobs
    }

    func schedule(_ faults: [SandboxFault]) {
        scheduledFaults.append(contentsOf: faults)
    }

    // MARK: Faults and stats

    struct FaultDecision: Sendable {
        var latency: Duration
        var fault: SandboxFault?
    }

    /// Decides what the knobs do to one request. Requests outside the knobs' scope get nothing and draw nothing
    /// from the generator, so reads do not change which writes fail.
    func decide(method: String, path: String) -> FaultDecision {
        let isCustomers = path == "/customers" || path.hasPrefix("/customers/")
        let isWrite = method == "POST" || method == "PUT" || method == "DELETE"
        let inScope: Bool
        switch knobs.scope {
        case .customerWrites: inScope = isCustomers && isWrite
        case .customers: inScope = isCustomers
        case .all: inScope = true
        }
        guard inScope else { return FaultDecision(latency: .zero, fault: nil) }
        var latency = knobs.latencyMilliseconds
        if knobs.latencyJitterMilliseconds > 0 {
            latency += Int.random(in: 0...knobs.latencyJitterMilliseconds, using: &generator)
        }
        var fault: SandboxFault?
        if !scheduledFaults.isEmpty {
            fault = scheduledFaults.removeFirst()
        } else if knobs.rateLimitRate > 0 || knobs.serverErrorRate > 0 || knobs.dropResponseRate > 0 {
            let draw = generator.unit()
            if draw < knobs.rateLimitRate {
                fault = .rateLimit
            } else if draw < knobs.rateLimitRate + knobs.serverErrorRate {
                fault = .serverError
            } else if draw < knobs.rateLimitRate + knobs.serverErrorRate + knobs.dropResponseRate {
                fault = .dropResponse
            }
        }
        if let fault { faults[fault.rawValue, default: 0] += 1 }
        return FaultDecision(latency: .milliseconds(latency), fault: fault)
    }

    func record(method: String, path: String, status: Int) {
        requestCounts["\(method) \(path) \(status)", default: 0] += 1
    }

    func stats() -> SandboxStats {
        let requests = requestCounts.map { key, count -> SandboxStats.RequestCount in
            let parts = key.split(separator: " ")
            return SandboxStats.RequestCount(method: String(parts[0]), path: String(parts[1]), status: Int(parts[2]) ?? 0, count: count)
        }
        .sorted { ($0.path, $0.method, $0.status) < ($1.path, $1.method, $1.status) }
        return SandboxStats(
            requests: requests, customersCreated: created, customersReplaced: replaced, customersDeleted: deleted, faultsInjected: faults,
            customerCount: customers.count)
    }

    func resetStats() {
        requestCounts = [:]
        created = 0
        replaced = 0
        deleted = 0
        faults = [:]
    }

    // MARK: Persistence

    private struct PersistedState: Codable {
        var version = 1
        var reference: SandboxSeed
        var customers: [SandboxCustomer]
        var nextConsecutive: Int
        var generatorState: UInt64
    }

    /// Rewrites the state file (atomically) after a change. Small files and a developer tool: a synchronous
    /// write inside the actor is acceptable here.
    private func persist() {
        guard let path = configuration.persistencePath else { return }
        let state = PersistedState(
            reference: reference, customers: customers.values.sorted { $0.customerNumber < $1.customerNumber },
            nextConsecutive: nextConsecutive, generatorState: generator.state)
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            try encoder.encode(state).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            logger.error("Could not save sandbox state", metadata: ["sandbox.path": "\(path)", "error": "\(error)"])
        }
    }
}

extension Result where Failure == SandboxError {
    /// `get()` with the error type kept.
    func checked() throws(SandboxError) -> Success {
        switch self {
        case .success(let value): return value
        case .failure(let error): throw error
        }
    }
}
