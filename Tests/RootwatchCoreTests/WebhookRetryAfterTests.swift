import AlibabaCloud
import Foundation
import RootwatchCore
import Testing

/// `Retry-After` as delta-seconds and the three HTTP-date forms, capped, with garbage ignored.
@Suite struct WebhookRetryAfterTests {
    static let reference = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT

    @Test(
        arguments: [
            ("0", nil), ("1", Duration.seconds(1)), ("120", .seconds(120)), (" 30 ", .seconds(30)),
            ("3600", .seconds(3_600)), ("86400", .seconds(3_600)), ("99999999999999999999999", .seconds(3_600)),
        ] as [(String, Duration?)])
    func deltaSeconds(value: String, expected: Duration?) {
        #expect(WebhookRetryAfter.wait(value, reference: nil) == expected)
    }

    @Test(
        arguments: [
            ("Sun, 06 Nov 1994 08:49:47 GMT", Duration.seconds(10)),  // IMF-fixdate
            ("Sunday, 06-Nov-94 08:50:37 GMT", .seconds(60)),  // RFC 850
            ("Sun Nov  6 08:51:37 1994", .seconds(120)),  // asctime
            ("Sun, 06 Nov 1994 08:49:37 GMT", nil),  // now: no particular wait
            ("Sat, 05 Nov 1994 08:49:37 GMT", nil),  // past
            ("Mon, 07 Nov 1994 08:49:37 GMT", .seconds(3_600)),  // capped
        ] as [(String, Duration?)])
    func httpDates(value: String, expected: Duration?) {
        #expect(WebhookRetryAfter.wait(value, reference: Self.reference) == expected)
    }

    @Test(arguments: [
        "", "soon", "-5", "1.5", "12s", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 94 08:49:37 GMT",
    ])
    func garbageMeansNoParticularWait(value: String) {
        #expect(WebhookRetryAfter.wait(value, reference: Self.reference) == nil)
    }

    @Test func anHTTPDateNeedsAReference() {
        #expect(WebhookRetryAfter.wait("Sun, 06 Nov 1994 08:49:47 GMT", reference: nil) == nil)
    }

    @Test(
        arguments: [
            ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0), ("Wed, 01 Jan 2025 00:00:00 GMT", 1_735_689_600),
            ("Thu, 29 Feb 2024 23:59:59 GMT", 1_709_251_199), ("Fri, 31 Dec 1999 23:59:59 GMT", 946_684_799),
        ] as [(String, TimeInterval)])
    func httpDateParsing(text: String, epoch: TimeInterval) {
        #expect(WebhookRetryAfter.parseHTTPDate(text) == Date(timeIntervalSince1970: epoch))
    }

    @Test func theResponseDateHeaderIsTheReference() {
        // The receiver's own clock: our skewed receivedAt does not matter.
        let answer = HTTPResponse(
            status: 429,
            headers: [("Retry-After", "Sun, 06 Nov 1994 08:50:37 GMT"), ("Date", "Sun, 06 Nov 1994 08:49:37 GMT")])
        #expect(WebhookRetryAfter.wait(in: answer, receivedAt: Date(timeIntervalSince1970: 0)) == .seconds(60))
    }
}
