import Foundation
import Testing
@testable import HeadroomAdapters

@Suite("HTTP dates")
struct IMFFixdateTests {
    @Test("An IMF-fixdate is the instant it names", arguments: [
        ("Wed, 21 Oct 2015 07:28:00 GMT", 1_445_412_480.0),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
        ("Tue, 29 Feb 2000 23:59:60 GMT", 951_868_800),
        ("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777),
    ])
    func parses(_ text: String, _ seconds: Double) {
        #expect(IMFFixdate.parse(text) == Date(timeIntervalSince1970: seconds))
    }

    @Test("Anything else is no date, never a trap", arguments: [
        "Wed, 21 Oct 2015 07:28:00 UTC", "Wed, 21 oct 2015 07:28:00 GMT", "Wed, 30 Feb 2015 07:28:00 GMT", "Wed, 29 Feb 1900 07:28:00 GMT",
        "Wed, 21 Oct 2015 24:00:00 GMT", "Wed, 21 Oct 2015 07:60:00 GMT", "Wed, 21 Oct 15 07:28:00 GMT", "Wednesday, 21-Oct-15 07:28:00 GMT",
        "Wed, +1 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:28:00 GMT ", "",
        // Found by fuzzing the rate-limit headers: Foundation's date formatter trapped on it.
        "m\u{311}elimit-remaining-tokens 999999",
    ])
    func refuses(_ text: String) {
        #expect(IMFFixdate.parse(text) == nil)
    }
}
