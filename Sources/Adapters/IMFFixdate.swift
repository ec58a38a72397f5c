import Foundation
import HeadroomCore

/// HTTP's date format, IMF-fixdate (RFC 9110, section 5.6.7), e.g.
/// `Wed, 21 Oct 2015 07:28:00 GMT`, read by position: a provider's header is
/// input from outside, and a general date parser trapped on some of it.
enum IMFFixdate {
    private static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The instant `text` names, or `nil` unless it is exactly an IMF-fixdate of a real day.
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 29, bytes[3] == UInt8(ascii: ","), String(decoding: bytes[25...], as: UTF8.self) == " GMT",
              weekdays.contains(String(decoding: bytes[0 ..< 3], as: UTF8.self)),
              [4, 7, 11, 16].allSatisfy({ bytes[$0] == UInt8(ascii: " ") }), bytes[19] == UInt8(ascii: ":"), bytes[22] == UInt8(ascii: ":"),
              let month = months.firstIndex(of: String(decoding: bytes[8 ..< 11], as: UTF8.self)).map({ $0 + 1 }),
              let day = number(bytes[5 ..< 7]), let year = number(bytes[12 ..< 16]),
              let hour = number(bytes[17 ..< 19]), let minute = number(bytes[20 ..< 22]), let second = number(bytes[23 ..< 25]),
              (1 ... daysIn(month, of: year)).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        let days = Int(CivilCalendar.days(year: Int64(year), month: Int64(month), day: Int64(day)))
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3_600 + minute * 60 + second))
    }

    /// A number written in ASCII digits only.
    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for digit in digits {
            guard (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains(digit) else { return nil }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return value
    }

    private static func daysIn(_ month: Int, of year: Int) -> Int {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }
}
