import Connectors
import EconomicSandbox
import SyncDomain

/// Draws a ``ChaosScript`` from a seed: which operation comes next (by weight), on which customer, with which new
/// values. It keeps just enough state to draw valid operations (which customers exist, the current rules), never
/// anything about what Accord did.
struct ChaosScriptWriter {
    private var random: SeededGenerator
    private(set) var rule: ChaosMatchRule
    private(set) var mappings: ChaosMappings
    let emptyOverwrites: Set<EconomicField>
    private var counter = 0
    private var customers: [(name: String, alive: Bool, hasEmail: Bool)] = []
    private var strangers = 0
    private var operations: [ChaosOperation] = []

    private static let cities = ["Aarhus", "Odense", "Aalborg", "Esbjerg", "Vejle", "Roskilde", "Herning", "Kolding", "Horsens", "Randers"]
    private static let countries = ["DK", "DE", "SE", "NO", "FR", "US"]
    private static let countryNames = ["Denmark", "Germany", "Sweden", "Norway", "France", "United States"]
    private static let words = ["Bikes", "Coffee", "Design", "Tools", "Bakery", "Studio", "Garden", "Motors", "Books", "Labs"]

    init(seed: UInt64) {
        random = SeededGenerator(seed: seed &* 0x2545_F491_4F6C_DD1D &+ 1)
        rule = [.email, .email, .emailThenPhone, .emailOrPhone][Int(random.next() % 4)]
        mappings = ChaosMappings(phone: random.unit() < 0.8, city: random.unit() < 0.8)
        var overwrites: Set<EconomicField> = []
        for field in [EconomicField.telephoneAndFaxNumber, .city, .zip] where random.unit() < 0.5 { overwrites.insert(field) }
        emptyOverwrites = overwrites
    }

    mutating func write(length: Int) -> [ChaosOperation] {
        while count(operations) < length {
            let next = draw(allowProcessChanges: true, room: length - count(operations))
            operations += next
        }
        return operations
    }

    private func count(_ operations: [ChaosOperation]) -> Int {
        operations.reduce(0) { total, operation in
            if case .restart(let whileDown) = operation { return total + 1 + whileDown.count }
            return total + 1
        }
    }

    // MARK: Drawing

    private mutating func draw(allowProcessChanges: Bool, room: Int) -> [ChaosOperation] {
        let alive = customers.indices.filter { customers[$0].alive }
        if alive.count < 2 { return create() }
        let roll = Int(random.next() % 100)
        switch roll {
        case 0..<18: return create()
        case 18..<36: return [update(pick(alive))]
        case 36..<42: return [clear(pick(alive))]
        case 42..<45: return [delete(pick(alive))]
        case 45..<59: return [edit(pick(alive))]
        case 59..<64: return pair()
        case 64..<67: return [stranger(named: customers[pick(alive)].name)]
        case 67..<70: return [changeRule()]
        case 70..<73: return [changeMappings()]
        case 73..<81: return [faults()]
        case 81..<85 where allowProcessChanges: return [.kill(sameWorkerID: random.unit() < 0.7)]
        case 85..<88 where allowProcessChanges && room >= 3: return [restart(room: room - 1)]
        default: return [.pause(milliseconds: 50 + Int(random.next() % 450))]
        }
    }

    private mutating func pick(_ indices: [Int]) -> Int { indices[Int(random.next() % UInt64(indices.count))] }

    private mutating func unique() -> Int {
        counter += 1
        return counter
    }

    private mutating func phone() -> String { "+45 \(20_000_000 + unique() * 7)" }
    private mutating func city() -> String { Self.cities[Int(random.next() % UInt64(Self.cities.count))] }

    private mutating func create() -> [ChaosOperation] {
        let customer = customers.count
        let name = "Chaos \(customer) \(Self.words[Int(random.next() % UInt64(Self.words.count))])"
        var fields: [StripeCustomerField: String] = [.name: name]
        let withoutEmail = random.unit() < (rule.requiresEmail ? 0.03 : 0.12)
        if !withoutEmail { fields[.email] = "c\(customer)@\(ChaosScript.domain)" }
        if random.unit() < 0.7 { fields[.phone] = phone() }
        if random.unit() < 0.6 {
            fields[.addressLine1] = "\(unique()) Chaos Street"
            fields[.addressPostalCode] = String(1000 + unique() % 8999)
            fields[.addressCity] = city()
            if random.unit() < 0.8 { fields[.addressCountry] = Self.countries[Int(random.next() % UInt64(Self.countries.count))] }
        }
        customers.append((name, true, !withoutEmail))
        var operations: [ChaosOperation] = []
        // A customer without match keys is reconciled by what is left; a stranger with its name must not be taken for it.
        if withoutEmail, random.unit() < 0.5 { operations.append(stranger(named: name)) }
        operations.append(.createStripeCustomer(customer: customer, fields: fields))
        return operations
    }

    private mutating func update(_ customer: Int) -> ChaosOperation {
        var fields: [StripeCustomerField: String] = [:]
        let candidates: [StripeCustomerField] = [.name, .phone, .addressLine1, .addressPostalCode, .addressCity, .addressCountry, .email]
        for _ in 0..<(1 + Int(random.next() % 3)) {
            let field = candidates[Int(random.next() % UInt64(candidates.count))]
            if field == .email, random.unit() < 0.6 { continue }
            switch field {
            case .name:
                fields[.name] = "Chaos \(customer) Renamed \(unique())"
                customers[customer].name = fields[.name]!
            case .email:
                fields[.email] = "c\(customer).\(unique())@\(ChaosScript.domain)"
                customers[customer].hasEmail = true
            case .phone: fields[.phone] = phone()
            case .addressLine1: fields[.addressLine1] = "\(unique()) Update Road"
            case .addressPostalCode: fields[.addressPostalCode] = String(1000 + unique() % 8999)
            case .addressCity: fields[.addressCity] = city()
            default: fields[.addressCountry] = Self.countries[Int(random.next() % UInt64(Self.countries.count))]
            }
        }
        if fields.isEmpty { fields[.phone] = phone() }
        return .updateStripeCustomer(customer: customer, fields: fields)
    }

    private mutating func clear(_ customer: Int) -> ChaosOperation {
        let candidates: [StripeCustomerField] = [.phone, .addressCity, .addressPostalCode, .addressLine1]
        var fields: Set<StripeCustomerField> = [candidates[Int(random.next() % UInt64(candidates.count))]]
        if random.unit() < 0.3 { fields.insert(candidates[Int(random.next() % UInt64(candidates.count))]) }
        return .clearStripeFields(customer: customer, fields: fields.sorted { $0.rawValue < $1.rawValue })
    }

    private mutating func delete(_ customer: Int) -> ChaosOperation {
        customers[customer].alive = false
        return .deleteStripeCustomer(customer: customer)
    }

    private mutating func edit(_ customer: Int) -> ChaosOperation {
        var changes: [String: String] = [:]
        let mapped = ["name", "telephoneAndFaxNumber", "address", "zip", "city", "country", "email"]
        for _ in 0..<(1 + Int(random.next() % 2)) where random.unit() < 0.8 {
            switch mapped[Int(random.next() % UInt64(mapped.count))] {
            case "name":
                changes["name"] = "Chaos \(customer) Booked \(unique())"
                customers[customer].name = changes["name"]!
            case "telephoneAndFaxNumber": changes["telephoneAndFaxNumber"] = phone()
            case "address": changes["address"] = "\(unique()) Ledger Lane"
            case "zip": changes["zip"] = String(1000 + unique() % 8999)
            case "city": changes["city"] = city()
            case "country": changes["country"] = Self.countryNames[Int(random.next() % UInt64(Self.countryNames.count))]
            default:
                guard random.unit() < 0.3 else { continue }
                changes["email"] = "c\(customer).b\(unique())@\(ChaosScript.domain)"
            }
        }
        if random.unit() < 0.12 { changes[["telephoneAndFaxNumber", "city", "zip"][Int(random.next() % 3)]] = "" }
        if changes.isEmpty || random.unit() < 0.4 {
            switch random.next() % 4 {
            case 0: changes["website"] = "https://w\(unique()).\(ChaosScript.domain)"
            case 1: changes["mobilePhone"] = "+45 \(60_000_000 + unique())"
            case 2: changes["paymentTerms"] = String(1 + Int(random.next() % 8))
            default: changes[ChaosScript.creditLimitKey] = String(1000 * (1 + unique() % 50))
            }
        }
        return .editInEconomic(customer: customer, changes: changes)
    }

    private mutating func pair() -> [ChaosOperation] {
        let customer = customers.count
        let byPhone = random.unit() < 0.5
        let name = "Chaos \(customer) Booked"
        var fields: [StripeCustomerField: String] = [.name: name, .email: "c\(customer)@\(ChaosScript.domain)"]
        if byPhone { fields[.phone] = phone() }
        if random.unit() < 0.5 { fields[.addressCity] = city() }
        customers.append((name, true, true))
        var switchTo: ChaosMatchRule?
        if byPhone, !rule.matchesPhone {
            rule = random.unit() < 0.6 ? .emailThenPhone : .emailOrPhone
            switchTo = rule
        }
        return [.createMatchedPair(customer: customer, fields: fields, byPhone: byPhone, switchingRuleTo: switchTo)]
    }

    private mutating func stranger(named name: String) -> ChaosOperation {
        strangers += 1
        return .createStranger(stranger: strangers, name: name, email: "s\(strangers).\(unique())@\(ChaosScript.domain)", phone: phone())
    }

    private mutating func changeRule() -> ChaosOperation {
        let others = ChaosMatchRule.allCases.filter { $0 != rule }
        rule = others[Int(random.next() % UInt64(others.count))]
        return .changeMatchFields(rule)
    }

    private mutating func changeMappings() -> ChaosOperation {
        var next = mappings
        if random.unit() < 0.5 { next.phone.toggle() } else { next.city.toggle() }
        mappings = next
        return .changeMappings(next)
    }

    private mutating func faults() -> ChaosOperation {
        guard random.unit() < 0.75 else { return .setFaults(.none) }
        func rate(_ choices: [Double]) -> Double { choices[Int(random.next() % UInt64(choices.count))] }
        return .setFaults(
            SandboxKnobs(
                rateLimitRate: rate([0, 0.1, 0.3]), retryAfterSeconds: 1, serverErrorRate: rate([0, 0.1, 0.2]),
                dropResponseRate: rate([0, 0.1, 0.2]),
                latencyMilliseconds: Int(rate([0, 20, 100])), latencyJitterMilliseconds: Int(rate([0, 50])),
                scope: random.unit() < 0.7 ? .customerWrites : .customers))
    }

    private mutating func restart(room: Int) -> ChaosOperation {
        var whileDown: [ChaosOperation] = []
        for _ in 0..<min(room, 1 + Int(random.next() % 4)) {
            let alive = customers.indices.filter { customers[$0].alive }
            switch random.next() % 5 {
            case 0, 1: whileDown += create().filter { if case .createStripeCustomer = $0 { return true } else { return false } }
            case 2: whileDown.append(update(pick(alive)))
            case 3: whileDown.append(clear(pick(alive)))
            default: whileDown.append(edit(pick(alive)))
            }
        }
        return .restart(whileDown: whileDown)
    }
}
