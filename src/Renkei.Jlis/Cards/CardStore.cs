using System.Data.Common;
using System.Globalization;
using Renkei.Core.Cards;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Storage;

namespace Renkei.Jlis.Cards;

/// <summary>An application as J-LIS received it. The holder is known by resident-record code; the number is not stored here.</summary>
internal sealed record CardApplicationRow(
    Guid ApplicationId,
    ResidentCode ResidentCode,
    LocalGovernmentCode Municipality,
    string Name,
    string Address,
    DateOnly BirthDate,
    Sex Sex,
    string? Photo,
    CardApplicationChannel Channel,
    CardApplicationKind Kind,
    CardNumber? ReplacesCard,
    CardNumber? IssuedCard,
    DateTimeOffset ReceivedAt);

/// <summary>A card as J-LIS's card management records it (カード管理).</summary>
internal sealed record CardRow(
    CardNumber CardNumber,
    Guid ApplicationId,
    ResidentCode ResidentCode,
    LocalGovernmentCode Municipality,
    string Name,
    string Address,
    DateOnly BirthDate,
    Sex Sex,
    string? Photo,
    DateOnly IssuedOn,
    DateOnly CardExpires,
    CardState State,
    CardEndReason? EndReason,
    string? UserSerial,
    DateOnly? UserExpires,
    string? SigningSerial,
    DateOnly? SigningExpires,
    DateTimeOffset? HandedOverAt,
    CardNumber? ReplacesCard)
{
    public CardFace Face => new(Name, Address, BirthDate, Sex, IssuedOn, CardExpires, Municipality, Photo);

    public override string ToString() => $"CardRow {{ CardNumber = {CardNumber}, State = {State}, (personal data withheld) }}";
}

/// <summary>
/// The card tables in J-LIS's database (SQLite or PostgreSQL), all prefixed <c>card_</c>: applications, cards, the
/// operation record (every operation with time, operator and, where one was needed, the identity check) and the request
/// records that make retries return the first answer. Methods taking a connection run inside the caller's transaction.
/// </summary>
internal sealed class CardStore(Database database)
{
    private const string DateFormat = "yyyy-MM-dd";

    public Database Database { get; } = database;

    public RequestLedger Requests { get; } = new("card_requests");

    /// <summary>Creates or upgrades J-LIS's tables (<see cref="JlisSchema"/>), the card tables among them.</summary>
    public void EnsureSchema() => Migrations.Apply(Database, JlisSchema.Tables);

    // ---------------------------------------------------------------- request records

    /// <summary>The stored request with this ID, read outside any transaction (a retry's quick path); null when new.</summary>
    public RequestLedger.StoredRequest? PeekRequest(Guid requestId)
    {
        using var c = Database.Open();
        using var select = c.Command("SELECT operation, fingerprint, response FROM card_requests WHERE request_id = @id");
        using var reader = select.With("id", requestId.ToString("D")).ExecuteReader();
        return reader.Read() ? new RequestLedger.StoredRequest(reader.GetString(0), reader.GetString(1), reader.NullableString(2)) : null;
    }

    // ---------------------------------------------------------------- applications

    public void InsertApplication(DbConnection c, DbTransaction t, CardApplicationRow row)
    {
        using var insert = c.Command("""
            INSERT INTO card_applications (application_id, resident_code, municipality, name, address, birth_date, sex, photo,
                channel, kind, replaces_card, issued_card, received_at)
            VALUES (@id, @code, @m, @name, @address, @birth, @sex, @photo, @channel, @kind, @replaces, NULL, @at)
            """, t);
        insert.With("id", row.ApplicationId.ToString("D")).With("code", row.ResidentCode.ToInt64()).With("m", row.Municipality.Digits)
            .With("name", row.Name).With("address", row.Address).With("birth", FormatDate(row.BirthDate)).With("sex", (int)row.Sex)
            .With("photo", row.Photo).With("channel", row.Channel.ToString()).With("kind", row.Kind.ToString())
            .With("replaces", row.ReplacesCard?.Text).With("at", FormatTime(row.ReceivedAt))
            .ExecuteNonQuery();
    }

    private const string ApplicationColumns =
        "application_id, resident_code, municipality, name, address, birth_date, sex, photo, channel, kind, replaces_card, issued_card, received_at";

    public CardApplicationRow? FindApplication(DbConnection c, DbTransaction? t, Guid applicationId)
    {
        using var select = c.Command($"SELECT {ApplicationColumns} FROM card_applications WHERE application_id = @id", t);
        using var reader = select.With("id", applicationId.ToString("D")).ExecuteReader();
        return reader.Read() ? ReadApplication(reader) : null;
    }

    /// <summary>The holder's applications not yet made into a card.</summary>
    public List<CardApplicationRow> PendingApplications(DbConnection c, DbTransaction? t, ResidentCode code)
    {
        using var select = c.Command($"SELECT {ApplicationColumns} FROM card_applications WHERE resident_code = @code AND issued_card IS NULL", t);
        using var reader = select.With("code", code.ToInt64()).ExecuteReader();
        var rows = new List<CardApplicationRow>();
        while (reader.Read()) rows.Add(ReadApplication(reader));
        return rows;
    }

    /// <summary>Marks the application as made into <paramref name="card"/>; false when another request did so first.</summary>
    public bool MarkApplicationIssued(DbConnection c, DbTransaction t, Guid applicationId, CardNumber card)
    {
        using var update = c.Command("UPDATE card_applications SET issued_card = @card WHERE application_id = @id AND issued_card IS NULL", t);
        return update.With("card", card.Text).With("id", applicationId.ToString("D")).ExecuteNonQuery() == 1;
    }

    private static CardApplicationRow ReadApplication(DbDataReader r) => new(
        Guid.Parse(r.GetString(0)), ResidentCode.FromInt64(r.GetInt64(1)), LocalGovernmentCode.ParseOrThrow(r.GetString(2)),
        r.GetString(3), r.GetString(4), ParseDate(r.GetString(5)), (Sex)r.GetInt32(6), r.NullableString(7),
        Enum.Parse<CardApplicationChannel>(r.GetString(8)), Enum.Parse<CardApplicationKind>(r.GetString(9)),
        r.NullableString(10) is { } replaces ? CardNumber.Parse(replaces) : null,
        r.NullableString(11) is { } issued ? CardNumber.Parse(issued) : null,
        ParseTime(r.GetString(12)));

    // ---------------------------------------------------------------- cards

    private const string CardColumns = """
        card_number, application_id, resident_code, municipality, name, address, birth_date, sex, photo, issued_on, card_expires,
        state, end_reason, user_serial, user_expires, signing_serial, signing_expires, handed_over_at, replaces_card
        """;

    public void InsertCard(DbConnection c, DbTransaction t, CardRow row)
    {
        using var insert = c.Command($"""
            INSERT INTO card_cards ({CardColumns})
            VALUES (@card, @application, @code, @m, @name, @address, @birth, @sex, @photo, @issued, @expires,
                @state, @end, @user, @userExpires, @signing, @signingExpires, @handedOver, @replaces)
            """, t);
        Bind(insert, row).ExecuteNonQuery();
    }

    /// <summary>Writes every changeable column of <paramref name="row"/>, only when the card is still in <paramref name="expectedState"/>; false otherwise (a concurrent change).</summary>
    public bool UpdateCard(DbConnection c, DbTransaction t, CardRow row, CardState expectedState)
    {
        using var update = c.Command("""
            UPDATE card_cards SET name = @name, address = @address, state = @state, end_reason = @end,
                user_serial = @user, user_expires = @userExpires, signing_serial = @signing, signing_expires = @signingExpires,
                handed_over_at = @handedOver
            WHERE card_number = @card AND state = @expected
            """, t);
        return Bind(update, row).With("expected", expectedState.ToString()).ExecuteNonQuery() == 1;
    }

    public CardRow? FindCard(DbConnection c, DbTransaction? t, CardNumber number)
    {
        using var select = c.Command($"SELECT {CardColumns} FROM card_cards WHERE card_number = @card", t);
        using var reader = select.With("card", number.Text).ExecuteReader();
        return reader.Read() ? ReadCard(reader) : null;
    }

    /// <summary>The card whose current user-authentication certificate has <paramref name="userSerial"/> (normalised hex); null when none.</summary>
    public CardRow? FindCardByUserSerial(DbConnection c, DbTransaction? t, string userSerial)
    {
        using var select = c.Command($"SELECT {CardColumns} FROM card_cards WHERE user_serial = @serial", t);
        using var reader = select.With("serial", userSerial).ExecuteReader();
        return reader.Read() ? ReadCard(reader) : null;
    }

    /// <summary>The holder's cards that have not ended, newest issue first.</summary>
    public List<CardRow> LiveCards(DbConnection c, DbTransaction? t, ResidentCode code)
    {
        using var select = c.Command($"""
            SELECT {CardColumns} FROM card_cards WHERE resident_code = @code AND state <> 'Ended' ORDER BY issued_on DESC, card_number
            """, t);
        using var reader = select.With("code", code.ToInt64()).ExecuteReader();
        var rows = new List<CardRow>();
        while (reader.Read()) rows.Add(ReadCard(reader));
        return rows;
    }

    private static DbCommand Bind(DbCommand command, CardRow row) => command
        .With("card", row.CardNumber.Text).With("application", row.ApplicationId.ToString("D")).With("code", row.ResidentCode.ToInt64())
        .With("m", row.Municipality.Digits).With("name", row.Name).With("address", row.Address).With("birth", FormatDate(row.BirthDate))
        .With("sex", (int)row.Sex).With("photo", row.Photo).With("issued", FormatDate(row.IssuedOn)).With("expires", FormatDate(row.CardExpires))
        .With("state", row.State.ToString()).With("end", row.EndReason?.ToString())
        .With("user", row.UserSerial).With("userExpires", row.UserExpires is { } u ? FormatDate(u) : null)
        .With("signing", row.SigningSerial).With("signingExpires", row.SigningExpires is { } s ? FormatDate(s) : null)
        .With("handedOver", row.HandedOverAt is { } h ? FormatTime(h) : null).With("replaces", row.ReplacesCard?.Text);

    private static CardRow ReadCard(DbDataReader r) => new(
        CardNumber.Parse(r.GetString(0)), Guid.Parse(r.GetString(1)), ResidentCode.FromInt64(r.GetInt64(2)),
        LocalGovernmentCode.ParseOrThrow(r.GetString(3)), r.GetString(4), r.GetString(5), ParseDate(r.GetString(6)), (Sex)r.GetInt32(7),
        r.NullableString(8), ParseDate(r.GetString(9)), ParseDate(r.GetString(10)), Enum.Parse<CardState>(r.GetString(11)),
        r.NullableString(12) is { } end ? Enum.Parse<CardEndReason>(end) : null,
        r.NullableString(13), r.NullableString(14) is { } u ? ParseDate(u) : null,
        r.NullableString(15), r.NullableString(16) is { } s ? ParseDate(s) : null,
        r.NullableString(17) is { } h ? ParseTime(h) : null,
        r.NullableString(18) is { } replaces ? CardNumber.Parse(replaces) : null);

    // ---------------------------------------------------------------- the operation record

    /// <param name="detail">JSON without personal values (identity check: who checked and the kind of document).</param>
    public void AddEvent(DbConnection c, DbTransaction t, CardNumber? card, Guid? application, string name, DateTimeOffset at, string operatorId,
        string? detail, Guid requestId)
    {
        using var insert = c.Command("""
            INSERT INTO card_events (card_number, application_id, event, at, operator, detail, request_id)
            VALUES (@card, @application, @event, @at, @operator, @detail, @request)
            """, t);
        insert.With("card", card?.Text).With("application", application?.ToString("D")).With("event", name).With("at", FormatTime(at))
            .With("operator", operatorId).With("detail", detail).With("request", requestId.ToString("D")).ExecuteNonQuery();
    }

    /// <summary>The card's recorded operations, oldest first, including those on the application it was made from.</summary>
    public List<CardEventInfo> Events(DbConnection c, DbTransaction? t, CardNumber card, Guid application)
    {
        using var select = c.Command("""
            SELECT event, at, operator, detail FROM card_events WHERE card_number = @card OR application_id = @application ORDER BY event_id
            """, t);
        using var reader = select.With("card", card.Text).With("application", application.ToString("D")).ExecuteReader();
        var events = new List<CardEventInfo>();
        while (reader.Read()) events.Add(new CardEventInfo(reader.GetString(0), ParseTime(reader.GetString(1)), reader.GetString(2), reader.NullableString(3)));
        return events;
    }

    public static string FormatTime(DateTimeOffset time) => JlisStore.Format(time);

    public static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static string FormatDate(DateOnly date) => date.ToString(DateFormat, CultureInfo.InvariantCulture);

    public static DateOnly ParseDate(string text) => DateOnly.ParseExact(text, DateFormat, CultureInfo.InvariantCulture);
}
