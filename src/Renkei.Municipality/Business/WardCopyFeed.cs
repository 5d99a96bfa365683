using System.Security.Cryptography;
using System.Text;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Intermediate.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;

namespace Renkei.Municipality.Business;

/// <summary>What one round of the copy feed sent.</summary>
/// <param name="Households">Households whose 住民票関係情報 copies were sent.</param>
/// <param name="ResidentCopies">住民票関係情報 copies sent.</param>
/// <param name="BusinessCopies">Business systems' copies sent (tax, child allowance, …).</param>
/// <param name="FullRuns">Full resends (<c>renkei feed run</c>) completed in this round.</param>
public sealed record CopyFeedReport(long Households, long ResidentCopies, long BusinessCopies, int FullRuns)
{
    public bool SentAnything => ResidentCopies + BusinessCopies > 0 || FullRuns > 0;
}

/// <summary>A full resend asked for, and whether it has been done.</summary>
public sealed record CopyFeedRun(long Id, DateTimeOffset RequestedAt, string RequestedBy, DateTimeOffset? FinishedAt, long? CopiesSent);

/// <summary>
/// The ward's systems feeding its intermediate server (中間サーバー) by themselves: the register's 住民票関係情報 (every
/// household an event or import touched, from <c>register_copy_outbox</c>) and each business system's changed people
/// (its change outbox), each after the cursor it last sent through. Delivery is at least once: the cursor moves only
/// after the intermediate server answered, so a crash or restart sends the same rows again, under the same request id
/// (a retried request returns the first answer) and the same version (an unchanged copy is not stored twice).
/// Full resends (<see cref="RequestFullRun"/>, <c>renkei feed run</c>, the monthly job) queue every household and send
/// every business system's copies.
/// </summary>
/// <remarks>
/// A copy is the person's state when it is sent, as of that day in Japan: household number, 続柄 code, the household's
/// members by addressee number (current residents; for someone who left, those who left with them on the same day),
/// status, the day they became a resident, the day they left, 更新日 (the register's last event for them) and the
/// destination's local government code. Never the number, the resident-record code, names, addresses or birth dates.
/// </remarks>
public sealed class WardCopyFeed(ResidentRegister register, AddresseeSystem addressees, MunicipalBusinessSystems systems,
    IIntermediateClient intermediate, TimeProvider clock, int householdsPerBatch = 1_000)
{
    /// <summary>The cursor name of the register's outbox in <c>copy_feed_cursors</c>.</summary>
    public const string RegisterFeed = "register";

    private static readonly TimeSpan JapanOffset = TimeSpan.FromHours(9);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly IntermediateFeeder _business = new(systems, new IntermediateHttpFeed(intermediate, register.Municipality.Digits, IntermediateHttpFeed.Job, clock));
    private Database Database => register.Database;
    private string Holder => register.Municipality.Digits;
    private DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().ToOffset(JapanOffset).DateTime);

    /// <summary>Asks the running ward service for a full resend (taken by its next round). Returns the run's id.</summary>
    public static long RequestFullRun(Database database, string requestedBy) => database.InTransaction((c, t) =>
        c.Command("INSERT INTO copy_feed_runs (requested_at, requested_by) VALUES (@at, @by) RETURNING id", t)
            .With("@at", ResidentRegister.Now()).With("@by", requestedBy).ScalarInt64());

    /// <summary>The full resends asked for, newest first.</summary>
    public static IReadOnlyList<CopyFeedRun> Runs(Database database, int limit = 20)
    {
        using var connection = database.Open();
        using var command = connection.Command("SELECT id, requested_at, requested_by, finished_at, copies_sent FROM copy_feed_runs ORDER BY id DESC LIMIT @n")
            .With("@n", limit);
        using var reader = command.ExecuteReader();
        var runs = new List<CopyFeedRun>();
        while (reader.Read())
            runs.Add(new CopyFeedRun(reader.GetInt64(0), DateTimeOffset.Parse(reader.GetString(1), System.Globalization.CultureInfo.InvariantCulture),
                reader.GetString(2), reader.NullableString(3) is { } f ? DateTimeOffset.Parse(f, System.Globalization.CultureInfo.InvariantCulture) : null,
                reader.IsDBNull(4) ? null : reader.GetInt64(4)));
        return runs;
    }

    /// <summary>Outbox rows (households) whose copies are due: enqueued and not yet sent.</summary>
    public static long PendingHouseholds(Database database)
    {
        using var connection = database.Open();
        return connection.Command("SELECT COUNT(*) FROM register_copy_outbox WHERE id > @after").With("@after", Cursor(connection, RegisterFeed)).ScalarInt64();
    }

    /// <summary>Rounds until nothing is left to send (e.g. before a demo says it is ready); the sum of what they sent.</summary>
    public async Task<CopyFeedReport> DrainAsync(CancellationToken cancellationToken = default)
    {
        var total = new CopyFeedReport(0, 0, 0, 0);
        while (await RunOnceAsync(cancellationToken) is { SentAnything: true } round)
            total = new CopyFeedReport(total.Households + round.Households, total.ResidentCopies + round.ResidentCopies,
                total.BusinessCopies + round.BusinessCopies, total.FullRuns + round.FullRuns);
        return total;
    }

    /// <summary>Sends everything due: pending full runs first, then the register's outbox, then the business systems' changes.
    /// One round at a time (callers wait for each other).</summary>
    /// <exception cref="HttpRequestException">the intermediate server did not answer (nothing is lost: the next round resends).</exception>
    public async Task<CopyFeedReport> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try { return await RoundAsync(cancellationToken); }
        finally { _gate.Release(); }
    }

    private async Task<CopyFeedReport> RoundAsync(CancellationToken cancellationToken)
    {
        var pendingRuns = PendingRuns();
        if (pendingRuns.Count > 0) RegisterCopyOutbox.EnqueueAll(Database);
        var (households, residentCopies) = await SendRegisterAsync(cancellationToken);
        long businessCopies = 0;
        if (pendingRuns.Count > 0)
            businessCopies += (await _business.SendAllAsync(Today, cancellationToken)).CopiesSent;
        businessCopies += await SendBusinessChangesAsync(cancellationToken);
        foreach (var run in pendingRuns) FinishRun(run, residentCopies + businessCopies);
        return new CopyFeedReport(households, residentCopies, businessCopies, pendingRuns.Count);
    }

    private async Task<(long Households, long Copies)> SendRegisterAsync(CancellationToken cancellationToken)
    {
        long households = 0, copies = 0;
        while (true)
        {
            long after, through;
            List<(Resident Resident, long? Addressee, DateOnly? UpdatedOn, string? MovedOutTo)> people;
            using (var connection = Database.Open())
            {
                after = Cursor(connection, RegisterFeed);
                through = connection.Command("SELECT COALESCE(MAX(id), 0) FROM (SELECT id FROM register_copy_outbox WHERE id > @after ORDER BY id LIMIT @n) batch")
                    .With("@after", after).With("@n", householdsPerBatch).ScalarInt64();
                if (through == 0) break;
                households += connection.Command("SELECT COUNT(DISTINCT household_number) FROM register_copy_outbox WHERE id > @after AND id <= @through")
                    .With("@after", after).With("@through", through).ScalarInt64();
                people = ReadPeople(connection, after, through);
            }
            if (people.Any(p => p.Addressee is null))
            {
                addressees.SyncFromRegister(); // newcomers since the last sync get their addressee numbers
                using var connection = Database.Open();
                people = ReadPeople(connection, after, through);
            }
            var updates = Copies(people, version: through);
            if (updates.Count > 0)
            {
                var answer = await intermediate.LoadBatchAsync(new LoadBatchRequest(RequestId(after, through, updates), Holder, updates, IntermediateHttpFeed.Job), cancellationToken);
                var refused = answer.Ignored.Where(i => i.Code is not ("stale" or "unchanged")).ToList();
                if (refused.Count > 0)
                    throw new BusinessSystemException("intermediate-refused",
                        $"the intermediate server refused {refused.Count} resident-record copy(ies): {refused[0].Code} (中間サーバーが住民票関係情報の副本を受け付けませんでした)");
                copies += updates.Count;
            }
            SetCursor(RegisterFeed, through);
        }
        return (households, copies);
    }

    /// <summary>Everyone on the register in the households of outbox rows (<paramref name="after"/>, <paramref name="through"/>], any status.</summary>
    private static List<(Resident, long?, DateOnly?, string?)> ReadPeople(System.Data.Common.DbConnection connection, long after, long through)
    {
        using var command = connection.Command($"""
            SELECT {ResidentRegister.ResidentColumns},
                   (SELECT a.addressee_number FROM addressee_persons a WHERE a.resident_id = residents.id),
                   (SELECT MAX(e.event_date) FROM register_events e WHERE e.resident_id = residents.id),
                   moved_out_to_code
            FROM residents
            WHERE household_number IN (SELECT household_number FROM register_copy_outbox WHERE id > @after AND id <= @through)
            ORDER BY household_number, relationship, id
            """).With("@after", after).With("@through", through);
        using var reader = command.ExecuteReader();
        var people = new List<(Resident, long?, DateOnly?, string?)>();
        var extra = reader.FieldCount - 3;
        while (reader.Read())
            people.Add((ResidentRegister.ReadResident(reader), reader.IsDBNull(extra) ? null : reader.GetInt64(extra),
                reader.NullableString(extra + 1) is { } d ? ResidentRegister.ParseDate(d) : null, reader.NullableString(extra + 2)));
        return people;
    }

    private List<CopyUpdate> Copies(List<(Resident Resident, long? Addressee, DateOnly? UpdatedOn, string? MovedOutTo)> people, long version)
    {
        var today = Today;
        var updates = new List<CopyUpdate>(people.Count);
        foreach (var household in people.Where(p => p.Addressee is not null).GroupBy(p => p.Resident.HouseholdNumber))
        {
            var members = household.ToList();
            foreach (var (person, addressee, updatedOn, movedOutTo) in members)
            {
                // Current residents live together; those who left are listed with whoever left with them on the same day.
                var together = members.Where(m => m.Resident.Id == person.Id || (person.Status == RegisterStatus.Resident
                    ? m.Resident.Status == RegisterStatus.Resident
                    : m.Resident.Status == person.Status && m.Resident.StatusDate == person.StatusDate));
                var body = new ResidentRecordBody(person.HouseholdNumber, (int)person.Relationship,
                    [.. together.Select(m => m.Addressee!.Value)], StatusOf(person.Status), person.ResidentSince,
                    person.Status == RegisterStatus.Resident ? null : person.StatusDate, updatedOn ?? person.ResidentSince, movedOutTo);
                updates.Add(new CopyUpdate(addressee!.Value, InformationKindCodes.ResidentRecord, today, version, CopyBodies.ToJson(body)));
            }
        }
        return updates;
    }

    private static ResidentStatus StatusOf(RegisterStatus status) => status switch
    {
        RegisterStatus.Resident => ResidentStatus.Resident,
        RegisterStatus.MovedOut => ResidentStatus.MovedOut,
        RegisterStatus.Deceased => ResidentStatus.Deceased,
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    private async Task<long> SendBusinessChangesAsync(CancellationToken cancellationToken)
    {
        Dictionary<string, long> cursors;
        using (var connection = Database.Open())
            cursors = systems.All.ToDictionary(s => s.SystemCode, s => Cursor(connection, s.SystemCode));
        if (systems.All.All(s => s.ChangesAfter(cursors[s.SystemCode], 1).Count == 0)) return 0;
        var report = await _business.SendChangesAsync(Today, cursors, cancellationToken);
        foreach (var (system, sequence) in report.LastSequenceBySystem)
            if (sequence > cursors[system]) SetCursor(system, sequence);
        return report.CopiesSent;
    }

    private static long Cursor(System.Data.Common.DbConnection connection, string feed) =>
        connection.Command("SELECT COALESCE(MAX(sent_through), 0) FROM copy_feed_cursors WHERE feed = @f").With("@f", feed).ScalarInt64();

    private void SetCursor(string feed, long sentThrough) => Database.InTransaction((c, t) =>
        c.Command("""
            INSERT INTO copy_feed_cursors (feed, sent_through, updated_at) VALUES (@f, @s, @at)
            ON CONFLICT (feed) DO UPDATE SET sent_through = excluded.sent_through, updated_at = excluded.updated_at
            """, t).With("@f", feed).With("@s", sentThrough).With("@at", ResidentRegister.Now()).ExecuteNonQuery());

    private List<long> PendingRuns()
    {
        using var connection = Database.Open();
        using var command = connection.Command("SELECT id FROM copy_feed_runs WHERE finished_at IS NULL ORDER BY id");
        using var reader = command.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read()) ids.Add(reader.GetInt64(0));
        return ids;
    }

    private void FinishRun(long id, long copies) => Database.InTransaction((c, t) =>
        c.Command("UPDATE copy_feed_runs SET finished_at = @at, copies_sent = @n WHERE id = @id", t)
            .With("@at", ResidentRegister.Now()).With("@n", copies).With("@id", id).ExecuteNonQuery());

    /// <summary>
    /// The same outbox rows with the same content go under the same request id, so a resend after a lost answer is a
    /// retry; if the register changed in between, the content (and so the id) differs, and a later row sends the change.
    /// </summary>
    private Guid RequestId(long after, long through, IReadOnlyList<CopyUpdate> updates)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"register-copies|{Holder}|{after}|{through}\n"));
        foreach (var u in updates) hash.AppendData(Encoding.UTF8.GetBytes($"{u.AddresseeNumber}|{u.AsOf:yyyy-MM-dd}|{u.Body.GetRawText()}\n"));
        return new Guid(hash.GetHashAndReset().AsSpan(0, 16));
    }
}
