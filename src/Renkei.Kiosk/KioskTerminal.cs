using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Renkei.IssuanceCentre.Contracts;
using Renkei.Municipality.Contracts;

namespace Renkei.Kiosk;

/// <summary>A refusal the screen shows: a stable code, the Japanese sentence, and the money given back (返金) if any.</summary>
public sealed record KioskRefusal(HttpStatusCode Status, string Code, string Message, long RefundYen = 0);

/// <summary>What the screen learns when the card was read: the ward, whether it is open, its certificates and fees.</summary>
public sealed record KioskMenuView(string MunicipalityName, bool Open, string? ClosedReason, IReadOnlyList<KioskMenuItem> Items);

/// <summary>The order as paid: the fee and the change (おつり).</summary>
public sealed record KioskOrderView(string Kind, string Name, long FeeYen, long PaidYen, long ChangeYen);

/// <summary>The certificate is in the output tray: take it at <see cref="Document"/>, with the change.</summary>
public sealed record KioskPrintedView(long FeeYen, long ChangeYen, string Document);

/// <summary>
/// The kiosk terminal's one transaction at a time (a multi-copy machine serves one person at a time), as the screen drives
/// it: <see cref="StartAsync"/> (a challenge from the centre for the card to sign) → <see cref="OpenSessionAsync"/> (the
/// card's proof; the ward's menu) → <see cref="Order"/> (the choice and the money put in) → <see cref="CardRemovedAsync"/>
/// (the card must be taken back before anything is printed: 取り忘れ対策; only then the certificate is requested and printed)
/// → <see cref="TakeOutput"/> (the printed certificate; the transaction ends). Removing the card before paying, the
/// screen's cancel and <see cref="KioskOptions.IdleTimeout"/> end it too.
/// <para>Nothing outlives a transaction (DESIGN.md: the kiosk holds nothing persistent): it lives only in this object's
/// memory, is dropped — its centre session ended, its document and menu released, the document's bytes zeroed — when it
/// ends, and nothing of it is logged but outcome codes. The screen names its transaction by a random handle, so a stale
/// screen cannot act on the next person's.</para>
/// </summary>
public sealed class KioskTerminal : IDisposable
{
    private readonly IssuanceCentreHttpClient _centre;
    private readonly IKioskPrinter _printer;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _idleTimeout;
    private readonly ILogger _logger;
    private readonly ITimer _sweeper;
    private readonly Lock _gate = new();
    private Transaction? _current;

    public KioskTerminal(KioskOptions options, IssuanceCentreHttpClient centre, IKioskPrinter printer, TimeProvider clock, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        (Code, Location, _centre, _printer, _clock, _idleTimeout, _logger) = (options.Code, options.Location, centre, printer, clock, options.IdleTimeout, logger);
        _sweeper = clock.CreateTimer(_ => SweepIdle(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public string Code { get; }

    public string Location { get; }

    public TimeSpan IdleTimeout => _idleTimeout;

    /// <summary>Whether a transaction is under way (false: the terminal holds nothing of anybody).</summary>
    public bool HoldsTransaction
    {
        get { lock (_gate) return _current is not null; }
    }

    /// <summary>Begins a transaction (ending any earlier one) and returns its handle and the challenge for the card to sign.</summary>
    public async Task<(string Handle, string Challenge)> StartAsync(CancellationToken cancellationToken)
    {
        await EndAsync(null, "restarted");
        var challenge = await CallAsync(() => _centre.ChallengeAsync(new KioskChallengeRequest(Code), cancellationToken));
        var transaction = new Transaction(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), challenge.Challenge, _clock.GetUtcNow());
        lock (_gate) _current = transaction;
        return (transaction.Handle, challenge.Challenge);
    }

    /// <summary>The card's proof: the centre checks it, finds the resident's ward and returns its menu.</summary>
    public async Task<KioskMenuView> OpenSessionAsync(string? handle, string? certificate, string? signature, CancellationToken cancellationToken)
    {
        var transaction = Find(handle);
        if (transaction.Session is not null) throw Refused(HttpStatusCode.Conflict, "session-open", "カードはすでに確認されています。");
        if (string.IsNullOrEmpty(certificate) || string.IsNullOrEmpty(signature))
            throw Refused(HttpStatusCode.BadRequest, "no-card-proof", "カードを読み取れませんでした。カードを置き直してください。");
        KioskSession session;
        try
        {
            session = await CallAsync(() => _centre.OpenSessionAsync(new KioskSessionRequest(Code, transaction.Challenge, certificate, signature), cancellationToken));
        }
        catch (KioskRefusalException)
        {
            await EndAsync(transaction.Handle, "card-refused");
            throw;
        }
        lock (_gate)
        {
            transaction.Session = session.SessionId;
            transaction.Menu = session.Menu;
            transaction.Touched = _clock.GetUtcNow();
        }
        var menu = session.Menu;
        return new KioskMenuView(menu.MunicipalityName, menu.Open, menu.ClosedReason, menu.Open ? menu.Items : []);
    }

    /// <summary>The resident chose and paid: checked against the ward's menu (the kind offered, the year offered, enough money).</summary>
    public KioskOrderView Order(string? handle, string? kind, bool wholeHousehold, int? fiscalYear, long paidYen)
    {
        var transaction = Find(handle);
        lock (_gate)
        {
            if (transaction.Menu is not { } menu) throw Refused(HttpStatusCode.Conflict, IssuanceCentreRefusalCodes.NoSession, KioskMessages.For(IssuanceCentreRefusalCodes.NoSession));
            if (!menu.Open) throw Refused(HttpStatusCode.Conflict, KioskRefusalCodes.Closed, menu.ClosedReason ?? KioskMessages.For(KioskRefusalCodes.Closed));
            if (transaction.Order is not null) throw Refused(HttpStatusCode.Conflict, "already-ordered", "お支払いはすでに済んでいます。カードをお取りください。");
            var item = menu.Items.FirstOrDefault(i => i.Kind == kind)
                ?? throw Refused(HttpStatusCode.Conflict, KioskRefusalCodes.KindNotOffered, KioskMessages.For(KioskRefusalCodes.KindNotOffered));
            if (item.FiscalYears is { } years && fiscalYear is { } year && !years.Contains(year))
                throw Refused(HttpStatusCode.Conflict, KioskRefusalCodes.NoAssessment, KioskMessages.For(KioskRefusalCodes.NoAssessment));
            if (paidYen < item.FeeYen || paidYen > item.FeeYen + MaxChangeYen)
                throw Refused(HttpStatusCode.Conflict, KioskRefusalCodes.PaymentShort, paidYen < item.FeeYen
                    ? KioskMessages.For(KioskRefusalCodes.PaymentShort)
                    : "投入金額が多すぎます。手数料に1万円を加えた額までにしてください。");
            transaction.Order = new PaidOrder(Guid.NewGuid(), item, item.FiscalYears is null ? null : fiscalYear ?? item.FiscalYears.FirstOrDefault(),
                kind == KioskCertificateKinds.ResidenceRecord && wholeHousehold, paidYen);
            transaction.Touched = _clock.GetUtcNow();
            return new KioskOrderView(item.Kind, item.Name, item.FeeYen, paidYen, paidYen - item.FeeYen);
        }
    }

    /// <summary>The most change the machine gives (it takes coins and a 10,000-yen note at most over the fee).</summary>
    public const long MaxChangeYen = 10_000;

    /// <summary>
    /// The card was taken back. Before payment the transaction simply ends (null). After payment the certificate is
    /// requested — once, by the order's transaction id, which a resend repeats so the centre charges once — and printed;
    /// a refusal or a failed print voids it and gives the money back (<see cref="KioskRefusal.RefundYen"/>).
    /// </summary>
    public async Task<KioskPrintedView?> CardRemovedAsync(string? handle, CancellationToken cancellationToken)
    {
        var transaction = Find(handle);
        PaidOrder? order;
        Guid session;
        lock (_gate)
        {
            if (transaction.Printing) throw Refused(HttpStatusCode.Conflict, "printing", "印刷中です。しばらくお待ちください。");
            (order, session) = (transaction.Order, transaction.Session ?? default);
            if (order is not null) transaction.Printing = true;
        }
        if (order is null)
        {
            await EndAsync(transaction.Handle, "card-removed");
            return null;
        }

        KioskCertificate certificate;
        var request = new KioskCertificateRequest(session, order.TransactionId, order.Item.Kind, order.WholeHousehold, order.FiscalYear, order.PaidYen);
        try
        {
            certificate = await CallAsync(() => _centre.CertificateAsync(request, cancellationToken));
        }
        catch (KioskRefusalException e)
        {
            await FinishAsync(transaction, "refused: " + e.Refusal.Code);
            throw new KioskRefusalException(e.Refusal with { RefundYen = order.PaidYen });
        }
        byte[] document;
        try
        {
            document = certificate.Pdf;
            await _printer.PrintAsync(document, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning("kiosk {Kiosk}: printing failed ({Error}); voiding the issuance", Code, e.GetType().Name);
            try
            {
                await CallAsync(() => _centre.VoidAsync(new KioskCancelRequest(session, order.TransactionId, "print-failed"), CancellationToken.None));
            }
            catch (KioskRefusalException refusal)
            {
                _logger.LogError("kiosk {Kiosk}: the centre did not take the void ({Code})", Code, refusal.Refusal.Code);
            }
            await FinishAsync(transaction, "print-failed");
            throw new KioskRefusalException(new KioskRefusal(HttpStatusCode.InternalServerError, "print-failed",
                "印刷できませんでした。証明書は交付されていません（手数料はかかりません）。投入金額をお返しします。", order.PaidYen));
        }
        lock (_gate)
        {
            transaction.Output = document;
            transaction.Printing = false;
            transaction.Touched = _clock.GetUtcNow();
        }
        _logger.LogInformation("kiosk {Kiosk}: certificate printed ({Kind})", Code, order.Item.Kind);
        return new KioskPrintedView(certificate.FeeYen, certificate.ChangeYen, "/api/output/" + transaction.Handle);
    }

    /// <summary>The printed certificate, once; the transaction then ends and the terminal holds nothing.</summary>
    public async Task<byte[]> TakeOutput(string? handle)
    {
        var transaction = Find(handle);
        byte[] copy;
        lock (_gate)
        {
            if (transaction.Output is not { } output) throw Refused(HttpStatusCode.NotFound, "no-output", "お渡しする証明書はありません。");
            copy = (byte[])output.Clone();
        }
        await EndAsync(transaction.Handle, "completed");
        return copy;
    }

    /// <summary>Ends the transaction <paramref name="handle"/> names (null: whichever is under way): erased here, its session ended at the centre.</summary>
    public async Task EndAsync(string? handle, string why)
    {
        Transaction? ended;
        lock (_gate)
        {
            ended = _current;
            if (ended is null || (handle is not null && !FixedTimeEquals(ended.Handle, handle)) || ended.Printing) return;
            _current = null;
        }
        var session = ended.Session;
        ended.Erase();
        _logger.LogInformation("kiosk {Kiosk}: transaction ended ({Why})", Code, why);
        if (session is not null)
        {
            try
            {
                await _centre.EndSessionAsync(session.Value, CancellationToken.None);
            }
            catch (Exception e) when (e is IssuanceCentreException or HttpRequestException or TaskCanceledException)
            {
                // The centre forgets idle sessions itself.
            }
        }
    }

    /// <summary>Ends a transaction whose printing step failed.</summary>
    private Task FinishAsync(Transaction transaction, string why)
    {
        lock (_gate) transaction.Printing = false;
        return EndAsync(transaction.Handle, why);
    }

    private Transaction Find(string? handle)
    {
        lock (_gate)
        {
            if (_current is { } transaction && handle is not null && FixedTimeEquals(transaction.Handle, handle))
            {
                transaction.Touched = _clock.GetUtcNow();
                return transaction;
            }
        }
        throw Refused(HttpStatusCode.Conflict, "transaction-ended", KioskMessages.Expired);
    }

    /// <summary>Ends the transaction when it has been idle <see cref="KioskOptions.IdleTimeout"/> (run every second).</summary>
    internal void SweepIdle()
    {
        string? idle;
        lock (_gate) idle = _current is { Printing: false } t && _clock.GetUtcNow() - t.Touched >= _idleTimeout ? t.Handle : null;
        if (idle is not null) _ = EndAsync(idle, "idle");
    }

    /// <summary>The centre's answer, or a <see cref="KioskRefusalException"/>; one resend when the centre did not answer (same request: no double charge).</summary>
    private async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (IssuanceCentreException e) when ((int)e.Status is >= 400 and < 500)
            {
                throw new KioskRefusalException(new KioskRefusal(e.Status, e.Code, KioskMessages.For(e.Code)));
            }
            catch (IssuanceCentreException e)
            {
                if (attempt < 2) continue;
                var message = e.Code == IssuanceCentreRefusalCodes.WardUnavailable ? KioskMessages.For(e.Code) : KioskMessages.Unavailable;
                throw new KioskRefusalException(new KioskRefusal(HttpStatusCode.BadGateway, e.Code, message));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                if (attempt < 2) continue;
                throw new KioskRefusalException(new KioskRefusal(HttpStatusCode.BadGateway, "centre-unavailable", KioskMessages.Unavailable));
            }
        }
    }

    private async Task CallAsync(Func<Task> call) => await CallAsync(async () =>
    {
        await call();
        return true;
    });

    private static KioskRefusalException Refused(HttpStatusCode status, string code, string message) => new(new KioskRefusal(status, code, message));

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    public void Dispose()
    {
        _sweeper.Dispose();
        lock (_gate)
        {
            _current?.Erase();
            _current = null;
        }
    }

    private sealed record PaidOrder(Guid TransactionId, KioskMenuItem Item, int? FiscalYear, bool WholeHousehold, long PaidYen);

    private sealed class Transaction(string handle, string challenge, DateTimeOffset started)
    {
        public string Handle { get; } = handle;
        public string Challenge { get; } = challenge;
        public DateTimeOffset Touched { get; set; } = started;
        public Guid? Session { get; set; }
        public KioskMenu? Menu { get; set; }
        public PaidOrder? Order { get; set; }
        public bool Printing { get; set; }
        public byte[]? Output { get; set; }

        public void Erase()
        {
            if (Output is { } output) CryptographicOperations.ZeroMemory(output);
            (Output, Menu, Order, Session) = (null, null, null, null);
        }
    }
}

/// <summary>What the screen is told when the kiosk cannot go on (<see cref="KioskRefusal"/>).</summary>
public sealed class KioskRefusalException(KioskRefusal refusal) : Exception(refusal.Code)
{
    public KioskRefusal Refusal { get; } = refusal;
}
