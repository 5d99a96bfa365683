using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Renkei.Core.Json;
using Renkei.IssuanceCentre.Contracts;
using Renkei.Municipality.Contracts;
using Renkei.TestSupport;

namespace Renkei.Kiosk.Tests;

/// <summary>
/// The terminal's transaction rules against a scripted centre (a stand-in for the centre inside this unit test only; the
/// whole path with the real centre, J-LIS and ward is the browser test's): one transaction, nothing held after it ends,
/// the card taken back before printing, money given back on every failure, a resend never a second charge.
/// </summary>
public sealed class KioskTerminalTests : IDisposable
{
    private static readonly byte[] Document = Encoding.ASCII.GetBytes("%PDF-1.7 certificate");
    private readonly ScriptedCentre _centre = new();
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.FromHours(9)));
    private readonly KioskTerminal _terminal;

    public KioskTerminalTests()
    {
        var options = new KioskOptions { Code = "kiosk-test", Location = "試験店", IdleTimeout = TimeSpan.FromSeconds(60) };
        _terminal = new KioskTerminal(options, new IssuanceCentreHttpClient(new HttpClient(_centre) { BaseAddress = new Uri("http://centre.test/") }),
            _centre.Printer, _clock, NullLogger.Instance);
    }

    public void Dispose() => _terminal.Dispose();

    private async Task<string> OpenAsync()
    {
        var (handle, challenge) = await _terminal.StartAsync(CancellationToken.None);
        Assert.Equal(ScriptedCentre.Challenge, challenge);
        var menu = await _terminal.OpenSessionAsync(handle, "Y2VydA==", "c2ln", CancellationToken.None);
        Assert.Equal("品川区", menu.MunicipalityName);
        return handle;
    }

    [Fact]
    public async Task A_paid_order_is_printed_after_the_card_is_taken_back_and_the_terminal_then_holds_nothing()
    {
        var handle = await OpenAsync();
        var order = _terminal.Order(handle, KioskCertificateKinds.ResidenceRecord, wholeHousehold: true, null, 500);
        Assert.Equal((200L, 300L), (order.FeeYen, order.ChangeYen));
        Assert.Empty(_centre.CertificateRequests); // nothing is requested while the card is still in the reader

        var printed = await _terminal.CardRemovedAsync(handle, CancellationToken.None);
        Assert.NotNull(printed);
        var request = Assert.Single(_centre.CertificateRequests);
        Assert.Equal((KioskCertificateKinds.ResidenceRecord, true, 500L), (request.Kind, request.WholeHousehold, request.PaidYen));
        Assert.Equal(Document, await _terminal.TakeOutput(handle));

        Assert.False(_terminal.HoldsTransaction);
        Assert.Equal(1, _centre.EndedSessions);
        var again = await Assert.ThrowsAsync<KioskRefusalException>(() => _terminal.TakeOutput(handle));
        Assert.Equal("transaction-ended", again.Refusal.Code);
    }

    [Fact]
    public async Task Taking_the_card_before_paying_ends_the_transaction_and_its_session()
    {
        var handle = await OpenAsync();
        Assert.Null(await _terminal.CardRemovedAsync(handle, CancellationToken.None));
        Assert.False(_terminal.HoldsTransaction);
        Assert.Equal(1, _centre.EndedSessions);
        Assert.Empty(_centre.CertificateRequests);
    }

    [Fact]
    public async Task A_refusal_after_payment_gives_the_money_back_and_keeps_nothing()
    {
        var handle = await OpenAsync();
        _terminal.Order(handle, KioskCertificateKinds.TaxAssessment, false, 2026, 300);
        _centre.RefuseCertificateWith = KioskRefusalCodes.NoAssessment;
        var refused = await Assert.ThrowsAsync<KioskRefusalException>(() => _terminal.CardRemovedAsync(handle, CancellationToken.None));
        Assert.Equal((KioskRefusalCodes.NoAssessment, 300L), (refused.Refusal.Code, refused.Refusal.RefundYen));
        Assert.Contains("年度", refused.Refusal.Message);
        Assert.False(_terminal.HoldsTransaction);
    }

    [Fact]
    public async Task A_failed_print_voids_the_issuance_at_the_centre_and_gives_the_money_back()
    {
        var handle = await OpenAsync();
        _terminal.Order(handle, KioskCertificateKinds.ResidenceRecord, false, null, 1000);
        _centre.PrinterFails = true;
        var refused = await Assert.ThrowsAsync<KioskRefusalException>(() => _terminal.CardRemovedAsync(handle, CancellationToken.None));
        Assert.Equal(("print-failed", 1000L), (refused.Refusal.Code, refused.Refusal.RefundYen));
        var voided = Assert.Single(_centre.Voids);
        Assert.Equal(Assert.Single(_centre.CertificateRequests).TransactionId, voided.TransactionId);
        Assert.Equal("print-failed", voided.Reason);
        Assert.False(_terminal.HoldsTransaction);
    }

    [Fact]
    public async Task A_centre_that_did_not_answer_gets_the_same_transaction_again_so_it_charges_once()
    {
        var handle = await OpenAsync();
        _terminal.Order(handle, KioskCertificateKinds.ResidenceRecord, true, null, 200);
        _centre.DropNextCertificateAnswer = true;
        Assert.NotNull(await _terminal.CardRemovedAsync(handle, CancellationToken.None));
        Assert.Equal(2, _centre.CertificateRequests.Count);
        Assert.Equal(_centre.CertificateRequests[0], _centre.CertificateRequests[1]);
    }

    [Fact]
    public async Task An_idle_transaction_is_ended_and_erased()
    {
        var handle = await OpenAsync();
        _clock.Advance(TimeSpan.FromSeconds(59));
        _terminal.SweepIdle();
        Assert.True(_terminal.HoldsTransaction);
        _clock.Advance(TimeSpan.FromSeconds(2));
        _terminal.SweepIdle();
        for (var i = 0; i < 100 && _centre.EndedSessions == 0; i++) await Task.Delay(20);
        Assert.False(_terminal.HoldsTransaction);
        Assert.Equal(1, _centre.EndedSessions);
        var stale = Assert.Throws<KioskRefusalException>(() => _terminal.Order(handle, KioskCertificateKinds.ResidenceRecord, false, null, 200));
        Assert.Equal("transaction-ended", stale.Refusal.Code);
    }

    [Theory]
    [InlineData(KioskCertificateKinds.ResidenceRecord, 100L, KioskRefusalCodes.PaymentShort)]
    [InlineData(KioskCertificateKinds.ResidenceRecord, 10_201L, KioskRefusalCodes.PaymentShort)]
    [InlineData(KioskCertificateKinds.SealRegistration, 500L, KioskRefusalCodes.KindNotOffered)]
    [InlineData("passport", 500L, KioskRefusalCodes.KindNotOffered)]
    public async Task An_order_the_menu_does_not_allow_is_refused_before_anything_is_requested(string kind, long paid, string code)
    {
        var handle = await OpenAsync();
        var refused = Assert.Throws<KioskRefusalException>(() => _terminal.Order(handle, kind, false, null, paid));
        Assert.Equal(code, refused.Refusal.Code);
        Assert.Empty(_centre.CertificateRequests);
        Assert.True(_terminal.HoldsTransaction);
    }

    [Fact]
    public async Task A_tax_year_the_ward_does_not_offer_is_refused()
    {
        var handle = await OpenAsync();
        var refused = Assert.Throws<KioskRefusalException>(() => _terminal.Order(handle, KioskCertificateKinds.TaxAssessment, false, 2019, 300));
        Assert.Equal(KioskRefusalCodes.NoAssessment, refused.Refusal.Code);
    }

    [Fact]
    public async Task A_closed_ward_takes_no_order()
    {
        _centre.Closed = true;
        var (handle, _) = await _terminal.StartAsync(CancellationToken.None);
        var menu = await _terminal.OpenSessionAsync(handle, "Y2VydA==", "c2ln", CancellationToken.None);
        Assert.False(menu.Open);
        Assert.Empty(menu.Items);
        var refused = Assert.Throws<KioskRefusalException>(() => _terminal.Order(handle, KioskCertificateKinds.ResidenceRecord, false, null, 200));
        Assert.Equal(KioskRefusalCodes.Closed, refused.Refusal.Code);
    }

    [Fact]
    public async Task A_refused_card_ends_the_transaction_with_the_Japanese_reason()
    {
        _centre.RefuseSessionWith = "certificate-revoked";
        var (handle, _) = await _terminal.StartAsync(CancellationToken.None);
        var refused = await Assert.ThrowsAsync<KioskRefusalException>(() => _terminal.OpenSessionAsync(handle, "Y2VydA==", "c2ln", CancellationToken.None));
        Assert.Equal("certificate-revoked", refused.Refusal.Code);
        Assert.Contains("失効", refused.Refusal.Message);
        Assert.False(_terminal.HoldsTransaction);
    }

    /// <summary>The centre's routes as a script (and the kiosk's printer).</summary>
    private sealed class ScriptedCentre : HttpMessageHandler
    {
        public const string Challenge = "renkei-card-login/1\nCENTRE\n0\nnonce";
        private static readonly Guid Session = Guid.NewGuid();

        public List<KioskCertificateRequest> CertificateRequests { get; } = [];
        public List<KioskCancelRequest> Voids { get; } = [];
        public int EndedSessions;
        public string? RefuseCertificateWith { get; set; }
        public string? RefuseSessionWith { get; set; }
        public bool DropNextCertificateAnswer { get; set; }
        public bool PrinterFails { get; set; }
        public bool Closed { get; set; }

        public IKioskPrinter Printer => new FailingPrinter(this);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath.TrimStart('/');
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            switch (request.Method.Method, path)
            {
                case ("POST", IssuanceCentreRoutes.Challenges):
                    return Json(new KioskChallenge(Challenge));
                case ("POST", IssuanceCentreRoutes.Sessions):
                    if (RefuseSessionWith is { } sessionRefusal) return Problem(HttpStatusCode.Conflict, sessionRefusal);
                    return Json(new KioskSession(Session, new KioskMenu("131091", "品川区", !Closed, Closed ? "年末年始のため休止しています。" : null,
                    [
                        new KioskMenuItem(KioskCertificateKinds.ResidenceRecord, "住民票の写し", 200, null),
                        new KioskMenuItem(KioskCertificateKinds.TaxAssessment, "課税（非課税）証明書", 300, [2026, 2025]),
                    ])));
                case ("POST", IssuanceCentreRoutes.Certificates):
                    var asked = JsonSerializer.Deserialize<KioskCertificateRequest>(body, JsonDefaults.Options)!;
                    CertificateRequests.Add(asked);
                    if (RefuseCertificateWith is { } refusal) return Problem(HttpStatusCode.Conflict, refusal);
                    if (DropNextCertificateAnswer)
                    {
                        DropNextCertificateAnswer = false;
                        throw new HttpRequestException("connection reset");
                    }
                    return Json(new KioskCertificate(asked.TransactionId, 42, asked.Kind, 200, asked.PaidYen - 200, Document));
                case ("POST", IssuanceCentreRoutes.Void):
                    Voids.Add(JsonSerializer.Deserialize<KioskCancelRequest>(body, JsonDefaults.Options)!);
                    return new HttpResponseMessage(HttpStatusCode.NoContent);
                case ("DELETE", _) when path.StartsWith(IssuanceCentreRoutes.Sessions + "/", StringComparison.Ordinal):
                    Interlocked.Increment(ref EndedSessions);
                    return new HttpResponseMessage(HttpStatusCode.NoContent);
                default:
                    return new HttpResponseMessage(HttpStatusCode.NotFound);
            }
        }

        private static HttpResponseMessage Json<T>(T value) => new(HttpStatusCode.OK)
        {
            Content = new StringContent(JsonSerializer.Serialize(value, JsonDefaults.Options), Encoding.UTF8, "application/json"),
        };

        private static HttpResponseMessage Problem(HttpStatusCode status, string code) => new(status)
        {
            Content = new StringContent(JsonSerializer.Serialize(new { type = "about:blank", title = "", status = (int)status, detail = "refused", code }),
                Encoding.UTF8, "application/problem+json"),
        };

        private sealed class FailingPrinter(ScriptedCentre owner) : IKioskPrinter
        {
            public Task PrintAsync(ReadOnlyMemory<byte> document, CancellationToken cancellationToken) =>
                owner.PrinterFails ? throw new IOException("paper jam") : Task.CompletedTask;
        }
    }
}
