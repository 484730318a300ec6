import Foundation

/// e-conomic's two time formats: `lastUpdated` (`YYYY-MM-DDTHH:MM:SSZ`, UTC) and `logTime`
/// (`YYYY-MM-DDTHH:MM:SS`, no zone).
enum SandboxTime {
    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// Drops fractional seconds: e-conomic keeps `lastUpdated` to the second.
    static func truncated(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    /// `2024-10-17T14:09:30Z`.
    static func lastUpdated(_ date: Date) -> String {
        logTime(date) + "Z"
    }

    /// `2024-10-24T14:26:57`.
    static func logTime(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String {
            let value = value ?? 0
            return value < 10 ? "0\(value)" : "\(value)"
        }
        let year = String(c.year ?? 1970)
        return "\(year)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` (also accepts a missing `Z` or a plain `YYYY-MM-DD`), as UTC.
    static func parse(_ text: String) -> Date? {
        var text = text
        if text.hasSuffix("Z") || text.hasSuffix("z") { text.removeLast() }
        let dateAndTime = text.split(separator: "T", maxSplits: 1, omittingEmptySubsequences: false)
        let dateParts = dateAndTime[0].split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard dateParts.count == 3, let year = dateParts[0], let month = dateParts[1], let day = dateParts[2] else { return nil }
        var components = DateComponents(year: year, month: month, day: day, hour: 0, minute: 0, second: 0)
        if dateAndTime.count == 2 {
            let timeParts = dateAndTime[1].split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard timeParts.count == 3, let h = timeParts[0], let m = timeParts[1], let s = timeParts[2] else { return nil }
            components.hour = h
            components.minute = m
            components.second = s
        }
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        return calendar.date(from: components)
    }
}
