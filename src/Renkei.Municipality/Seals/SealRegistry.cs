using System.Data.Common;
using System.Globalization;
using Renkei.Infrastructure;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;

namespace Renkei.Municipality.Seals;

/// <summary>How the applicant's identity was checked at registration (本人確認, 印鑑条例).</summary>
public enum SealIdentityCheck
{
    /// <summary>マイナンバーカード（個人番号カード）.</summary>
    MyNumberCard,
    /// <summary>運転免許証.</summary>
    DriversLicence,
    /// <summary>旅券.</summary>
    Passport,
    /// <summary>在留カード・特別永住者証明書.</summary>
    ResidenceCard,
    /// <summary>照会書の回答: without a photo ID, the ward mails an inquiry to the registered address and the applicant brings the answer.</summary>
    InquiryReply,
    /// <summary>保証人: a person with a seal registered in the ward vouches in writing.</summary>
    Guarantor,
}

/// <summary>Why a registration ended (廃止).</summary>
public enum SealAbolitionReason
{
    /// <summary>本人申請 (廃止申請).</summary>
    Request,
    /// <summary>転出: ended by the register on the day of departure.</summary>
    Departure,
    /// <summary>死亡: ended by the register on the day of death.</summary>
    Death,
    /// <summary>亡失: the 印鑑登録証 (or the seal) was lost.</summary>
    Lost,
}

public static class SealCodes
{
    public static string Code(this SealIdentityCheck check) => check switch
    {
        SealIdentityCheck.MyNumberCard => "mynumber-card",
        SealIdentityCheck.DriversLicence => "drivers-licence",
        SealIdentityCheck.Passport => "passport",
        SealIdentityCheck.ResidenceCard => "residence-card",
        SealIdentityCheck.InquiryReply => "inquiry-reply",
        SealIdentityCheck.Guarantor => "guarantor",
        _ => throw new ArgumentOutOfRangeException(nameof(check)),
    };

    public static string ToJapanese(this SealIdentityCheck check) => check switch
    {
        SealIdentityCheck.MyNumberCard => "マイナンバーカード",
        SealIdentityCheck.DriversLicence => "運転免許証",
        SealIdentityCheck.Passport => "旅券",
        SealIdentityCheck.ResidenceCard => "在留カード・特別永住者証明書",
        SealIdentityCheck.InquiryReply => "照会書の回答",
        SealIdentityCheck.Guarantor => "保証人による保証",
        _ => throw new ArgumentOutOfRangeException(nameof(check)),
    };

    public static string Code(this SealAbolitionReason reason) => reason switch
    {
        SealAbolitionReason.Request => "request",
        SealAbolitionReason.Departure => "departure",
        SealAbolitionReason.Death => "death",
        SealAbolitionReason.Lost => "lost",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };

    public static string ToJapanese(this SealAbolitionReason reason) => reason switch
    {
        SealAbolitionReason.Request => "本人申請",
        SealAbolitionReason.Departure => "転出",
        SealAbolitionReason.Death => "死亡",
        SealAbolitionReason.Lost => "亡失",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };

    public static bool TryParse(string? code, out SealIdentityCheck check) => TryParse(code, SealIdentityCheck.MyNumberCard, Code, out check);

    public static bool TryParse(string? code, out SealAbolitionReason reason) => TryParse(code, SealAbolitionReason.Request, Code, out reason);

    private static bool TryParse<T>(string? code, T fallback, Func<T, string> codeOf, out T value) where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
            if (string.Equals(codeOf(candidate), code?.Trim(), StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        value = fallback;
        return false;
    }
}

/// <summary>
/// A 印鑑登録証 number: 8 digits, a sequence of 7 (unique per ward, never reused) and a check digit (weights 2,1 from the
/// right, as for the register's own numbers of this kind: a mistyped digit is caught before the ledger is searched).
/// </summary>
public readonly record struct SealCardNumber(string Digits)
{
    public const string Invalid = "seal-card-invalid";

    public static SealCardNumber FromSequence(long sequence)
    {
        if (sequence is < 1 or > 9_999_999) throw new InvalidOperationException("seal card numbers are exhausted");
        var body = sequence.ToString("D7", CultureInfo.InvariantCulture);
        return new SealCardNumber(body + CheckDigit(body).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The number as presented (spaces, hyphens and full-width digits allowed).</summary>
    /// <exception cref="RegisterException">not 8 digits, or a wrong check digit.</exception>
    public static SealCardNumber Parse(string? text)
    {
        var digits = new string((text ?? "").Where(c => c is not (' ' or '\u3000' or '-' or '－' or 'ー'))
            .Select(c => c is >= '０' and <= '９' ? (char)('0' + (c - '０')) : c).ToArray());
        if (digits.Length != 8 || digits.Any(c => c is < '0' or > '9') || CheckDigit(digits[..7]) != digits[7] - '0')
            throw new RegisterException(Invalid, "sealCard: 8 digits with a valid check digit (印鑑登録証の番号は8桁の数字です。番号を確かめてください)");
        return new SealCardNumber(digits);
    }

    private static int CheckDigit(string body)
    {
        var sum = 0;
        for (var i = 0; i < body.Length; i++)
        {
            var d = (body[body.Length - 1 - i] - '0') * (i % 2 == 0 ? 2 : 1);
            sum += d / 10 + d % 10;
        }
        return (10 - sum % 10) % 10;
    }

    public override string ToString() => Digits;
}

/// <summary>A seal registration as the ward holds it.</summary>
public sealed record SealRegistration(long Id, long ResidentId, SealCardNumber CardNumber, DateOnly RegisteredOn, string RegisteredBy, string Terminal,
    SealIdentityCheck IdentityCheck, SealImage Image, DateOnly? AbolishedOn, SealAbolitionReason? AbolitionReason, string? AbolishedBy)
{
    public bool Current => AbolishedOn is null;
}

/// <summary>A request to register a seal: the person, how their identity was checked, the image and its measured side.</summary>
public sealed record SealRegistrationRequest(long ResidentId, SealIdentityCheck IdentityCheck, SealImage Image);

/// <summary>
/// 印鑑登録 (table <c>seal_registrations</c>), a part of the ward's register as 品川区印鑑条例 has it: a resident of the ward
/// aged 15 or more may register one seal (a second is refused until the first is abolished), with the identity check
/// recorded and the image stored; the ward issues a 印鑑登録証 whose number is unique and never reused. A registration
/// ends by 廃止 (本人申請, 亡失) and, automatically in the register's own transaction, on departure or death. Persons under
/// adult guardianship (成年被後見人) may not register; the register holds no such flag (guardianship is recorded by the
/// Legal Affairs Bureau's 登記, not the resident register), so the clerk confirms it from the application form and this
/// class cannot. The caller writes the operation log.
/// </summary>
public sealed class SealRegistry
{
    public const int MinimumAge = 15;

    public const string TooYoung = "seal-applicant-under-15";
    public const string NotResident = "seal-applicant-not-resident";
    public const string AlreadyRegistered = "seal-already-registered";
    public const string NotRegistered = "seal-not-registered";
    public const string CardMismatch = "seal-card-mismatch";
    public const string Abolished = "seal-registration-abolished";
    public const string UnknownResident = "unknown-resident";

    private readonly Database _database;
    private readonly TimeProvider _clock;

    public SealRegistry(Database database, TimeProvider? clock = null)
    {
        _database = database;
        _clock = clock ?? TimeProvider.System;
        Migrations.Apply(database, MunicipalitySchema.Tables);
    }

    /// <summary>Japan's date today (registration and abolition days).</summary>
    private DateOnly Today => DateOnly.FromDateTime(_clock.GetUtcNow().ToOffset(TimeSpan.FromHours(9)).DateTime);

    /// <summary>Registers a seal and issues the 印鑑登録証 number, in one transaction.</summary>
    /// <exception cref="RegisterException">unknown person, not a resident, under 15, already registered.</exception>
    public SealRegistration Register(SealRegistrationRequest request, string staffId, string terminal)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Image);
        if (!Enum.IsDefined(request.IdentityCheck)) throw new ArgumentOutOfRangeException(nameof(request));
        var today = Today;
        var now = _clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        long id;
        try
        {
            id = Insert(request, staffId, terminal, today, now);
        }
        catch (DbException) when (Current(request.ResidentId) is not null)
        {
            // Registered concurrently by another counter: the partial unique index kept it to one.
            throw AlreadyRegisteredError();
        }
        return Find(id)!;
    }

    private static RegisterException AlreadyRegisteredError() => new(AlreadyRegistered,
        "residentId: this person already has a registered seal; abolish it first (既に印鑑登録があります。登録できる印鑑は一人一個です)");

    private long Insert(SealRegistrationRequest request, string staffId, string terminal, DateOnly today, string now) =>
        _database.InTransaction((c, t) =>
        {
            var person = ResidentRegister.Find(c, t, request.ResidentId)
                ?? throw new RegisterException(UnknownResident, "residentId: no resident with this id (該当する住民がいません)");
            if (person.Status != RegisterStatus.Resident)
                throw new RegisterException(NotResident, "residentId: only a resident of the ward may register a seal (区の住民でない方は印鑑登録できません)");
            if (AgeOn(person.BirthDate, today) < MinimumAge)
                throw new RegisterException(TooYoung, $"residentId: a seal is registered from the age of {MinimumAge} (15歳未満の方は印鑑登録できません)");
            if (CurrentId(c, t, person.Id) is not null)
                throw AlreadyRegisteredError();
            var sequence = c.Command("INSERT INTO register_counters (name, value) VALUES ('seal-card', 1) "
                + "ON CONFLICT (name) DO UPDATE SET value = register_counters.value + 1 RETURNING value", t).ScalarInt64();
            return c.Command("""
                INSERT INTO seal_registrations (resident_id, card_number, registered_on, registered_at, registered_by, terminal, identity_check, image, image_type, side_mm)
                VALUES (@r, @card, @on, @at, @by, @t, @check, @image, @type, @side) RETURNING id
                """, t)
                .With("@r", person.Id).With("@card", SealCardNumber.FromSequence(sequence).Digits).With("@on", ResidentRegister.FormatDate(today))
                .With("@at", now).With("@by", staffId).With("@t", terminal).With("@check", request.IdentityCheck.Code())
                .With("@image", request.Image.Bytes).With("@type", request.Image.TypeCode).With("@side", request.Image.SideMillimetres).ScalarInt64();
        });

    /// <summary>Abolishes the person's current registration (本人申請 or 亡失; departure and death end it through the register).</summary>
    /// <exception cref="RegisterException">no current registration.</exception>
    public SealRegistration Abolish(long residentId, SealAbolitionReason reason, string staffId)
    {
        if (reason is not (SealAbolitionReason.Request or SealAbolitionReason.Lost))
            throw new RegisterException("seal-abolition-reason",
                "reason: a clerk abolishes on request or loss; departure and death end a registration by themselves (廃止の事由は本人申請又は亡失です)");
        var id = _database.InTransaction((c, t) =>
        {
            var current = CurrentId(c, t, residentId)
                ?? throw new RegisterException(NotRegistered, "residentId: this person has no registered seal (印鑑登録がありません)");
            End(c, t, current, Today, reason, staffId);
            return current;
        });
        return Find(id)!;
    }

    /// <summary>The person's current registration, or null.</summary>
    public SealRegistration? Current(long residentId) => History(residentId).FirstOrDefault(r => r.Current);

    /// <summary>All of the person's registrations, newest first.</summary>
    public IReadOnlyList<SealRegistration> History(long residentId)
    {
        using var connection = _database.Open();
        using var select = connection.Command($"SELECT {Columns} FROM seal_registrations WHERE resident_id = @r ORDER BY id DESC").With("@r", residentId);
        return ReadAll(select);
    }

    /// <summary>
    /// The registration a certificate is issued from: the person's current one, when <paramref name="presented"/> is its card.
    /// A card of an abolished registration of the person is refused as abolished; any other number as a mismatch (saying
    /// nothing about whose number it is).
    /// </summary>
    /// <exception cref="RegisterException">bad card number, no registration, mismatch, abolished.</exception>
    public SealRegistration ForCertificate(long residentId, string? presented)
    {
        var card = SealCardNumber.Parse(presented);
        var history = History(residentId);
        if (history.FirstOrDefault(r => r.CardNumber == card) is { } match)
            return match.Current ? match
                : throw new RegisterException(Abolished, "sealCard: this registration has been abolished (この印鑑登録は廃止されています)");
        if (history.Count == 0 || history.All(r => !r.Current))
            throw new RegisterException(NotRegistered, "residentId: this person has no registered seal (印鑑登録がありません)");
        throw new RegisterException(CardMismatch, "sealCard: the card number is not this person's registration (印鑑登録証の番号が登録と一致しません)");
    }

    /// <summary>
    /// Ends the person's current registration inside a register event's transaction (転出 or 死亡), on the event's day.
    /// Nothing happens for a person without one.
    /// </summary>
    internal static void EndOnLeaving(DbConnection c, DbTransaction t, long residentId, DateOnly date, SealAbolitionReason reason)
    {
        if (CurrentId(c, t, residentId) is { } id) End(c, t, id, date, reason, "register-event");
    }

    private SealRegistration? Find(long id)
    {
        using var connection = _database.Open();
        using var select = connection.Command($"SELECT {Columns} FROM seal_registrations WHERE id = @id").With("@id", id);
        return ReadAll(select).SingleOrDefault();
    }

    private static long? CurrentId(DbConnection c, DbTransaction t, long residentId) =>
        c.Command("SELECT id FROM seal_registrations WHERE resident_id = @r AND abolished_on IS NULL", t).With("@r", residentId).ExecuteScalar() is { } v
            and not DBNull
            ? Convert.ToInt64(v, CultureInfo.InvariantCulture)
            : null;

    private static void End(DbConnection c, DbTransaction t, long id, DateOnly date, SealAbolitionReason reason, string by) =>
        c.Command("UPDATE seal_registrations SET abolished_on = @on, abolished_at = @at, abolition_reason = @why, abolished_by = @by WHERE id = @id", t)
            .With("@on", ResidentRegister.FormatDate(date)).With("@at", ResidentRegister.Now()).With("@why", reason.Code()).With("@by", by).With("@id", id)
            .ExecuteNonQuery();

    private const string Columns = "id, resident_id, card_number, registered_on, registered_by, terminal, identity_check, image, image_type, side_mm, "
        + "abolished_on, abolition_reason, abolished_by";

    private static List<SealRegistration> ReadAll(DbCommand select)
    {
        using var reader = select.ExecuteReader();
        var list = new List<SealRegistration>();
        while (reader.Read())
        {
            SealCodes.TryParse(reader.GetString(6), out SealIdentityCheck check);
            SealAbolitionReason? reason = reader.IsDBNull(11) ? null : SealCodes.TryParse(reader.GetString(11), out SealAbolitionReason r) ? r : null;
            list.Add(new SealRegistration(reader.GetInt64(0), reader.GetInt64(1), new SealCardNumber(reader.GetString(2)),
                ResidentRegister.ParseDate(reader.GetString(3)), reader.GetString(4), reader.GetString(5), check,
                SealImage.FromStored((byte[])reader.GetValue(7), reader.GetString(8), reader.GetInt32(9)),
                reader.IsDBNull(10) ? null : ResidentRegister.ParseDate(reader.GetString(10)), reason, reader.NullableString(12)));
        }
        return list;
    }

    /// <summary>
    /// Full years of age on <paramref name="day"/> as Japanese law counts them (年齢計算ニ関スル法律: a year is completed at the
    /// end of the day before the birthday, so a person is 15 from the day before their 15th birthday).
    /// </summary>
    public static int AgeOn(DateOnly birth, DateOnly day)
    {
        day = day.AddDays(1);
        var age = day.Year - birth.Year;
        if (day.Month < birth.Month || (day.Month == birth.Month && day.Day < birth.Day)) age--;
        return age;
    }
}
