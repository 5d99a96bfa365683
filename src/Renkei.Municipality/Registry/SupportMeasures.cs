using System.Data.Common;
using System.Globalization;
using Renkei.Infrastructure;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Registry;

/// <summary>
/// The kind of a support measure (支援措置, 住民基本台帳事務処理要領 第5-10-ト): whom the victim is protected from.
/// </summary>
public enum SupportMeasureKind
{
    /// <summary>配偶者からの暴力（DV）.</summary>
    DomesticViolence,
    /// <summary>ストーカー行為等.</summary>
    Stalking,
    /// <summary>児童虐待等.</summary>
    ChildAbuse,
    /// <summary>その他（これらに準ずる行為）.</summary>
    Other,
}

public static class SupportMeasureKinds
{
    public static string Code(this SupportMeasureKind kind) => kind switch
    {
        SupportMeasureKind.DomesticViolence => "domestic-violence",
        SupportMeasureKind.Stalking => "stalking",
        SupportMeasureKind.ChildAbuse => "child-abuse",
        SupportMeasureKind.Other => "other",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static string ToJapanese(this SupportMeasureKind kind) => kind switch
    {
        SupportMeasureKind.DomesticViolence => "配偶者からの暴力（DV）",
        SupportMeasureKind.Stalking => "ストーカー行為等",
        SupportMeasureKind.ChildAbuse => "児童虐待等",
        SupportMeasureKind.Other => "その他これらに準ずる行為",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static bool TryParse(string? code, out SupportMeasureKind kind)
    {
        foreach (var candidate in Enum.GetValues<SupportMeasureKind>())
            if (string.Equals(candidate.Code(), code?.Trim(), StringComparison.Ordinal))
            {
                kind = candidate;
                return true;
            }
        kind = default;
        return false;
    }
}

/// <summary>A support measure as the register holds it: open while <see cref="ReleasedOn"/> is null.</summary>
public sealed record SupportMeasure(long Id, long ResidentId, SupportMeasureKind Kind, DateOnly From, string RecordedBy, DateTimeOffset RecordedAt,
    DateOnly? ReleasedOn, string? ReleasedBy)
{
    public bool Open => ReleasedOn is null;
}

/// <summary>
/// 支援措置 in the register (table <c>support_measures</c>): a resident placed under a DV/stalking/child-abuse support measure
/// from a day and released on a later one, each recorded with who did it; one open measure per resident, never deleted.
/// While a measure is open the ward's issuance server refuses kiosk issuance for the person (counter only, where the clerk
/// checks who asks). The caller writes the operation log.
/// </summary>
public sealed class SupportMeasures
{
    public const string AlreadyUnderMeasure = "support-measure-already-open";
    public const string NoOpenMeasure = "support-measure-not-open";
    public const string NotResident = "support-measure-not-resident";
    public const string BadDate = "support-measure-bad-date";

    private readonly Database _database;
    private readonly TimeProvider _clock;

    public SupportMeasures(Database database, TimeProvider? clock = null)
    {
        _database = database;
        _clock = clock ?? TimeProvider.System;
        Migrations.Apply(database, MunicipalitySchema.Tables);
    }

    private DateOnly Today => DateOnly.FromDateTime(_clock.GetUtcNow().ToOffset(TimeSpan.FromHours(9)).DateTime);

    /// <summary>Places a current resident under a support measure from <paramref name="from"/> (null: today, Japan), at most a year back and not in the future.</summary>
    /// <exception cref="RegisterException">unknown person or not a resident, a day out of range, or a measure already open.</exception>
    public SupportMeasure Place(long residentId, SupportMeasureKind kind, DateOnly? from, string staffId)
    {
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind));
        var today = Today;
        var day = from ?? today;
        if (day > today || day < today.AddYears(-1))
            throw new RegisterException(BadDate, "from: a day within the last year, not in the future (開始日は過去1年以内の日付で、未来の日付は指定できません)");
        try
        {
            var id = _database.InTransaction((c, t) =>
            {
                var person = ResidentRegister.Find(c, t, residentId)
                    ?? throw new RegisterException("unknown-resident", "residentId: no resident with this id (該当する住民がいません)");
                if (person.Status != RegisterStatus.Resident)
                    throw new RegisterException(NotResident, "residentId: only a current resident is placed under a support measure (支援措置は現に住民である方に限ります)");
                if (OpenId(c, t, residentId) is not null) throw AlreadyOpen();
                return c.Command("INSERT INTO support_measures (resident_id, kind, from_date, recorded_by, recorded_at) VALUES (@r, @k, @f, @by, @at) RETURNING id", t)
                    .With("@r", residentId).With("@k", kind.Code()).With("@f", ResidentRegister.FormatDate(day)).With("@by", staffId)
                    .With("@at", _clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)).ScalarInt64();
            });
            return History(residentId).Single(m => m.Id == id);
        }
        catch (DbException) when (Current(residentId) is not null)
        {
            throw AlreadyOpen(); // placed concurrently: the partial unique index kept it to one
        }
    }

    private static RegisterException AlreadyOpen() =>
        new(AlreadyUnderMeasure, "residentId: this person is already under a support measure (既に支援措置の対象者です)");

    /// <summary>Releases the person's open measure on <paramref name="on"/> (null: today, Japan), not before it began and not in the future.</summary>
    /// <exception cref="RegisterException">no open measure, or a day out of range.</exception>
    public SupportMeasure Release(long residentId, DateOnly? on, string staffId)
    {
        var today = Today;
        var day = on ?? today;
        var id = _database.InTransaction((c, t) =>
        {
            var open = OpenId(c, t, residentId)
                ?? throw new RegisterException(NoOpenMeasure, "residentId: this person is not under a support measure (支援措置の対象者ではありません)");
            using (var select = c.Command("SELECT from_date FROM support_measures WHERE id = @id", t).With("@id", open))
            {
                var from = DateOnly.ParseExact((string)select.ExecuteScalar()!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
                if (day > today || day < from)
                    throw new RegisterException(BadDate, "on: from the measure's first day up to today (終了日は開始日から今日までの日付です)");
            }
            c.Command("UPDATE support_measures SET released_on = @on, released_by = @by, released_at = @at WHERE id = @id", t)
                .With("@on", ResidentRegister.FormatDate(day)).With("@by", staffId).With("@at", _clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture))
                .With("@id", open).ExecuteNonQuery();
            return open;
        });
        return History(residentId).Single(m => m.Id == id);
    }

    /// <summary>The person's open measure, or null.</summary>
    public SupportMeasure? Current(long residentId) => History(residentId).FirstOrDefault(m => m.Open);

    /// <summary>Whether the person is under a support measure now.</summary>
    public bool IsUnderMeasure(long residentId) => Current(residentId) is not null;

    /// <summary>All of the person's measures, newest first.</summary>
    public IReadOnlyList<SupportMeasure> History(long residentId)
    {
        using var connection = _database.Open();
        using var select = connection.Command("SELECT id, resident_id, kind, from_date, recorded_by, recorded_at, released_on, released_by "
            + "FROM support_measures WHERE resident_id = @r ORDER BY id DESC").With("@r", residentId);
        using var reader = select.ExecuteReader();
        var list = new List<SupportMeasure>();
        while (reader.Read())
        {
            SupportMeasureKinds.TryParse(reader.GetString(2), out var kind);
            list.Add(new SupportMeasure(reader.GetInt64(0), reader.GetInt64(1), kind, Date(reader.GetString(3)), reader.GetString(4),
                DateTimeOffset.Parse(reader.GetString(5), CultureInfo.InvariantCulture), reader.NullableString(6) is { } released ? Date(released) : null,
                reader.NullableString(7)));
        }
        return list;
    }

    private static DateOnly Date(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static long? OpenId(DbConnection c, DbTransaction t, long residentId) =>
        c.Command("SELECT id FROM support_measures WHERE resident_id = @r AND released_on IS NULL", t).With("@r", residentId).ExecuteScalar() is { } id
            ? Convert.ToInt64(id, CultureInfo.InvariantCulture)
            : null;
}
