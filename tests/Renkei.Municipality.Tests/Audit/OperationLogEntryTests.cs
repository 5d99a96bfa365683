using Renkei.Core.Numbers;
using Renkei.Municipality.Audit;

namespace Renkei.Municipality.Tests.Audit;

public class OperationLogEntryTests
{
    private static readonly string Number = IndividualNumber.FromBody(12345678901).Digits;
    private static readonly string Code = ResidentCode.FromBody(1234567890).Digits;

    private static OperationLogEntry Valid => OperationLogTests.Entry(1) with { Detail = "住民票の写し 交付" };

    public static TheoryData<string> DetailsWithANumber => new()
    {
        Number,
        $"照会 {Number} 件",
        $"{Number[..4]}-{Number[4..8]}-{Number[8..]}",
        $"{Number[..4]} {Number[4..8]} {Number[8..]}",
        string.Concat(Number.Select(c => (char)('０' + (c - '0')))),
        $"2026-04-01 {Number}",
    };

    [Theory]
    [MemberData(nameof(DetailsWithANumber))]
    public void A_detail_holding_a_valid_individual_number_is_refused_without_echoing_it(string detail)
    {
        var refused = Assert.Throws<OperationLogException>(() => (Valid with { Detail = detail }).Validate());

        Assert.Contains("Detail", refused.Message);
        Assert.Contains("individual number", refused.Message);
        Assert.DoesNotContain(Number[..4], refused.Message);
        Assert.DoesNotContain(Number[^4..], refused.Message);
    }

    [Fact]
    public void A_resident_record_code_is_refused_in_any_text_field()
    {
        Assert.Contains("resident-record code", Assert.Throws<OperationLogException>(() => (Valid with { Detail = "code " + Code }).Validate()).Message);
        Assert.Contains("Terminal", Assert.Throws<OperationLogException>(() => (Valid with { Terminal = Code }).Validate()).Message);
        Assert.Contains("StaffId", Assert.Throws<OperationLogException>(() => (Valid with { StaffId = Number }).Validate()).Message);
    }

    [Fact]
    public void Digits_that_are_not_a_valid_number_are_allowed()
    {
        var wrongCheckDigit = Number[..11] + (char)('0' + (Number[11] - '0' + 1) % 10);
        (Valid with { Detail = $"受付番号 {wrongCheckDigit}" }).Validate();
        (Valid with { Detail = "法人番号 7000012050002" }).Validate(); // 13 digits: a public corporate number
        (Valid with { Detail = "2026-04-01 10:00 件数 123" }).Validate();
    }

    [Fact]
    public void Required_fields_and_limits_are_checked_with_a_message_naming_the_field()
    {
        Assert.Contains("StaffId", Assert.Throws<OperationLogException>(() => (Valid with { StaffId = " " }).Validate()).Message);
        Assert.Contains("Terminal", Assert.Throws<OperationLogException>(() => (Valid with { Terminal = "" }).Validate()).Message);
        Assert.Contains("1000", Assert.Throws<OperationLogException>(() => (Valid with { Detail = new string('あ', 1001) }).Validate()).Message);
        Assert.Contains("SubjectAddresseeNumber", Assert.Throws<OperationLogException>(() => (Valid with { SubjectAddresseeNumber = 0 }).Validate()).Message);
        Assert.Contains("At", Assert.Throws<OperationLogException>(() => (Valid with { At = default }).Validate()).Message);
        Assert.Contains("Action", Assert.Throws<OperationLogException>(() => (Valid with { Action = (OperationAction)99 }).Validate()).Message);
        Assert.Contains("one line", Assert.Throws<OperationLogException>(() => (Valid with { StaffId = "a\nb" }).Validate()).Message);
    }

    [Fact]
    public void The_payload_is_canonical_json_that_reads_back_to_the_same_entry()
    {
        var entry = new OperationLogEntry("staff001", new DateTimeOffset(2026, 4, 6, 9, 0, 0, TimeSpan.FromHours(9)).AddTicks(15),
            "TERM-01", null, 42, OperationAction.LoginFailed, OperationResult.Refused, "パスワード誤り");

        var payload = OperationLog.Serialize(entry);

        Assert.Equal(
            "{\"action\":\"loginFailed\",\"affairCode\":null,\"at\":\"2026-04-06T00:00:00.000001Z\",\"detail\":\"パスワード誤り\",\"result\":\"refused\","
            + "\"staffId\":\"staff001\",\"subjectAddresseeNumber\":42,\"terminal\":\"TERM-01\",\"v\":1}",
            System.Text.Encoding.UTF8.GetString(payload));
        Assert.Equal(payload, Renkei.Core.Audit.CanonicalJson.Canonicalize(payload));
        Assert.Equal(entry with { At = new DateTimeOffset(2026, 4, 6, 0, 0, 0, TimeSpan.Zero).AddTicks(10) }, OperationLog.Deserialize(1, payload));
    }

    [Fact]
    public void An_unreadable_payload_names_the_entry_only()
    {
        var refused = Assert.Throws<OperationLogException>(() => OperationLog.Deserialize(9, "{\"v\":1}"u8.ToArray()));
        Assert.Contains("entry 9", refused.Message);
    }
}
