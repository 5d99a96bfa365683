using System.Data.Common;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Registry;

/// <summary>
/// The changes (異動) to the register. Each event's writes happen in one transaction, and each request
/// carries a request id: sending the same request again returns the first result and changes nothing.
/// J-LIS is called (over HTTP, through <see cref="IJlisNumberingClient"/>) before the transaction with
/// request ids derived from the event's, so a retry after a failure gets the same code and number.
/// </summary>
public sealed class RegisterEvents(ResidentRegister register, IJlisNumberingClient jlis, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>J-LIS's refusal of a resident-record code that belongs to another municipality's resident.</summary>
    private const string OtherMunicipalityCode = "resident-of-another-municipality";
    private Database Database => register.Database;
    private LocalGovernmentCode Municipality => register.Municipality;

    private DateOnly Today => DateOnly.FromDateTime(_clock.GetLocalNow().Date);

    /// <summary>
    /// Called after a birth, an arrival or an arrival from abroad first records a person's number here (with the event's
    /// request id and result), e.g. to acquire the ward's token for the person (符号取得). Not called for a replayed
    /// request. The event has been committed: the callback must not throw for the event's sake.
    /// </summary>
    public Func<Guid, RegisterEventResult, CancellationToken, Task>? NumberRecorded { get; set; }

    /// <summary>
    /// Called after any event was committed (not for a replayed request), e.g. to wake the copy feed
    /// (<see cref="Business.WardCopyFeed"/>). Must not throw.
    /// </summary>
    public Action? Committed { get; set; }

    private async Task<RegisterEventResult> AfterNumberRecordedAsync(Guid requestId, RegisterEventResult result, CancellationToken cancellationToken)
    {
        if (!result.Replayed && NumberRecorded is { } callback) await callback(requestId, result, cancellationToken);
        return result;
    }

    // ---------------------------------------------------------------- entering the register

    public async Task<RegisterEventResult> BirthAsync(BirthRequest request, CancellationToken cancellationToken = default)
    {
        if (Replay(request.RequestId, RegisterEventType.Birth) is { } done) return done;
        var person = CheckPerson(request.Person);
        var date = person.BirthDate;
        var birthAddress = request.Address is null ? null : RegisterInputRules.RequireText(request.Address, "address");
        CheckPlacement(request.HouseholdNumber, request.Relationship, birthAddress, out _);

        var code = (await jlis.IssueResidentCodeAsync(
            new IssueResidentCodeRequest(request.RequestId, Municipality, ResidentCodeIssueReason.Birth), cancellationToken)).ResidentCode;
        var number = (await jlis.DeriveNumberAsync(
            new DeriveNumberRequest(DerivedId(request.RequestId, "derive-number"), Municipality, code), cancellationToken)).IndividualNumber;

        return await AfterNumberRecordedAsync(request.RequestId, Commit(request.RequestId, RegisterEventType.Birth, (c, t) =>
        {
            var (household, address) = Place(c, t, request.HouseholdNumber, request.Relationship, birthAddress, date);
            var id = InsertResident(c, t, code, number, person, address, household, request.Relationship, date, false, null, NumberReasons.Birth, date);
            return (id, household, date, "出生届", null, $"出生により記載（世帯番号 {household}、続柄 {request.Relationship.ToJapanese()}）");
        }), cancellationToken);
    }

    public async Task<RegisterEventResult> ArrivalAsync(ArrivalRequest request, CancellationToken cancellationToken = default)
    {
        if (Replay(request.RequestId, RegisterEventType.ArrivalFromMunicipality) is { } done) return done;
        var person = CheckPerson(request.Person);
        var address = RequiredText(request.Address, "address");
        CheckDate(request.Date, "date");
        CheckForeign(request.ForeignResident, request.Nationality);
        CheckPlacement(request.HouseholdNumber, request.Relationship, address, out _);
        if (request.FromMunicipality == Municipality)
            throw new RegisterException("same-municipality", "an arrival comes from another municipality; use an address change for a move inside it (転居届を使用してください)");
        var existing = register.FindByCode(request.ResidentCode);
        if (existing is { Status: RegisterStatus.Resident })
            throw new RegisterException("already-registered", "this person is already a resident here (既に住民として記録されています)");
        if (existing is { Status: RegisterStatus.Deceased })
            throw new RegisterException("deceased", "the register records this person as deceased (死亡により消除されています)");

        await VerifyCarriedNumberAsync(request.ResidentCode, request.IndividualNumber, cancellationToken);

        return await AfterNumberRecordedAsync(request.RequestId, Commit(request.RequestId, RegisterEventType.ArrivalFromMunicipality, (c, t) =>
        {
            var (household, placedAddress) = Place(c, t, request.HouseholdNumber, request.Relationship, address, request.Date);
            var id = Reinstate(c, t, request.ResidentCode, request.IndividualNumber, person, placedAddress, household, request.Relationship, request.Date,
                request.ForeignResident, request.Nationality, NumberReasons.CarriedOver);
            return (id, household, request.Date, $"転入届（転出地 {request.FromMunicipality.Digits}）", null,
                $"転入により記載（世帯番号 {household}、続柄 {request.Relationship.ToJapanese()}）");
        }), cancellationToken);
    }

    public async Task<RegisterEventResult> ArrivalFromAbroadAsync(ArrivalFromAbroadRequest request, CancellationToken cancellationToken = default)
    {
        if (Replay(request.RequestId, RegisterEventType.ArrivalFromAbroad) is { } done) return done;
        var person = CheckPerson(request.Person);
        var address = RequiredText(request.Address, "address");
        var country = RequiredText(request.FromCountry, "fromCountry");
        CheckDate(request.Date, "date");
        CheckForeign(request.ForeignResident, request.Nationality);
        CheckPlacement(request.HouseholdNumber, request.Relationship, address, out _);

        if ((request.FormerResidentCode is null) != (request.FormerNumber is null))
            throw new RegisterException("former-number-incomplete",
                "formerResidentCode and formerNumber: give both for someone who lived in Japan before, or neither (以前の住民票コードと個人番号を両方入力してください)");
        ResidentCode code;
        IndividualNumber number;
        var returning = request.FormerResidentCode is { } formerCode && request.FormerNumber is { } formerNumber;
        if (returning)
        {
            // A number is for life, also across a stay abroad (再入国): J-LIS confirms the pair and the person keeps both.
            (code, number) = (request.FormerResidentCode!.Value, request.FormerNumber!.Value);
            await VerifyCarriedNumberAsync(code, number, cancellationToken);
        }
        else
        {
            code = (await jlis.IssueResidentCodeAsync(
                new IssueResidentCodeRequest(request.RequestId, Municipality, ResidentCodeIssueReason.ArrivalFromAbroad), cancellationToken)).ResidentCode;
            number = (await jlis.DeriveNumberAsync(
                new DeriveNumberRequest(DerivedId(request.RequestId, "derive-number"), Municipality, code), cancellationToken)).IndividualNumber;
        }

        return await AfterNumberRecordedAsync(request.RequestId, Commit(request.RequestId, RegisterEventType.ArrivalFromAbroad, (c, t) =>
        {
            var (household, placedAddress) = Place(c, t, request.HouseholdNumber, request.Relationship, address, request.Date);
            var id = returning
                ? Reinstate(c, t, code, number, person, placedAddress, household, request.Relationship, request.Date,
                    request.ForeignResident, request.Nationality, NumberReasons.ReEntry)
                : InsertResident(c, t, code, number, person, placedAddress, household, request.Relationship, request.Date,
                    request.ForeignResident, request.Nationality, NumberReasons.ArrivalFromAbroad, request.Date);
            return (id, household, request.Date, returning ? $"国外からの転入（{country}、再入国・同じ個人番号）" : $"国外からの転入（{country}）", null,
                $"国外からの転入により記載（世帯番号 {household}、続柄 {request.Relationship.ToJapanese()}）");
        }), cancellationToken);
    }

    /// <summary>J-LIS confirms that a carried resident-record code and number belong together (転入, 国外からの再入国).</summary>
    private async Task VerifyCarriedNumberAsync(ResidentCode code, IndividualNumber number, CancellationToken cancellationToken)
    {
        VerifyNumberResponse verification;
        try
        {
            verification = await jlis.VerifyNumberAsync(new VerifyNumberRequest(code, number), cancellationToken);
        }
        catch (JlisException refused) when (refused.Code == OtherMunicipalityCode)
        {
            // J-LIS confirms another ward's resident to an arriving ward only when code and number match (転入通知).
            verification = new VerifyNumberResponse(NumberVerificationOutcome.Mismatch);
        }
        switch (verification.Outcome)
        {
            case NumberVerificationOutcome.Matches: break;
            case NumberVerificationOutcome.Superseded:
                throw new RegisterException("number-superseded",
                    "the individual number given has been changed since; J-LIS holds a newer number for this person (個人番号が変更されています。転出証明書の内容を確認してください)");
            case NumberVerificationOutcome.Mismatch:
                throw new RegisterException("number-mismatch",
                    "the individual number does not belong to this resident-record code according to J-LIS (個人番号と住民票コードが一致しません)");
            case NumberVerificationOutcome.NoNumberDesignated:
                throw new RegisterException("no-number-designated",
                    "J-LIS has designated no individual number for this resident-record code (個人番号が指定されていません)");
            default:
                throw new RegisterException("number-unverified", "J-LIS gave an unknown verification outcome (確認できません)");
        }

    }

    /// <summary>
    /// Records a person who carries their code and number: a new record, or the same record reinstated for someone who
    /// once left (転出) and comes back, keeping its history.
    /// </summary>
    private static long Reinstate(DbConnection c, DbTransaction t, ResidentCode code, IndividualNumber number, NewPerson person, string placedAddress,
        string household, Relationship relationship, DateOnly date, bool foreign, string? nationality, string numberReason)
    {
        var again = ResidentRegister.FindByCode(c, t, code);
        if (again is null)
            return InsertResident(c, t, code, number, person, placedAddress, household, relationship, date, foreign, nationality, numberReason, date);
        if (again.Status != RegisterStatus.MovedOut)
            throw new RegisterException("already-registered", "this person is already a resident here (既に住民として記録されています)");
        c.Command("""
            UPDATE residents SET family_name = @fn, given_name = @gn, family_name_kana = @fk, given_name_kana = @gk, birth_date = @birth,
              sex = @sex, address = @address, household_number = @household, relationship = @rel, resident_since = @since, status = 0,
              status_date = NULL, moved_out_to = NULL, moved_out_to_code = NULL, foreign_resident = @foreign, nationality = @nat WHERE id = @id
            """, t)
            .With("@fn", person.FamilyName).With("@gn", person.GivenName).With("@fk", person.FamilyNameKana).With("@gk", person.GivenNameKana)
            .With("@birth", ResidentRegister.FormatDate(person.BirthDate)).With("@sex", (int)person.Sex).With("@address", placedAddress)
            .With("@household", household).With("@rel", (int)relationship).With("@since", ResidentRegister.FormatDate(date))
            .With("@foreign", foreign ? 1 : 0).With("@nat", nationality).With("@id", again.Id).ExecuteNonQuery();
        ResidentRegister.WriteSearchKeys(c, t, again.Id);
        if (again.IndividualNumber != number) SetNumber(c, t, again.Id, number, date, numberReason);
        return again.Id;
    }

    // ---------------------------------------------------------------- leaving

    public Task<RegisterEventResult> DepartureAsync(DepartureRequest request, CancellationToken cancellationToken = default)
    {
        var destination = RequiredText(request.Destination, "destination");
        CheckDate(request.Date, "date");
        string? destinationCode = null;
        if (request.DestinationCode is not null)
        {
            if (LocalGovernmentCode.Parse(request.DestinationCode) is not { IsValid: true, Value: var code })
                throw new RegisterException("bad-destination-code", "destinationCode: not a local government code of 6 digits with its check digit (転出先の地方公共団体コードが正しくありません)");
            if (code == Municipality)
                throw new RegisterException("same-municipality", "a departure goes to another municipality; use an address change for a move inside it (転居届を使用してください)");
            destinationCode = code.Digits;
        }
        return Task.FromResult(Change(request.RequestId, RegisterEventType.Departure, request.ResidentId, (c, t, r) =>
        {
            c.Command("UPDATE residents SET status = 1, status_date = @d, moved_out_to = @to, moved_out_to_code = @code WHERE id = @id", t)
                .With("@d", ResidentRegister.FormatDate(request.Date)).With("@to", destination).With("@code", destinationCode).With("@id", r.Id).ExecuteNonQuery();
            Seals.SealRegistry.EndOnLeaving(c, t, r.Id, request.Date, Seals.SealAbolitionReason.Departure);
            return (r.HouseholdNumber, request.Date, "転出届", $"住所 {r.Address}", $"転出（転出先 {destination}）");
        }));
    }

    public Task<RegisterEventResult> DeathAsync(DeathRequest request, CancellationToken cancellationToken = default)
    {
        CheckDate(request.Date, "date");
        return Task.FromResult(Change(request.RequestId, RegisterEventType.Death, request.ResidentId, (c, t, r) =>
        {
            if (request.Date < r.BirthDate) throw new RegisterException("bad-date", "the date of death is before the birth date (死亡日が生年月日より前です)");
            c.Command("UPDATE residents SET status = 2, status_date = @d WHERE id = @id", t)
                .With("@d", ResidentRegister.FormatDate(request.Date)).With("@id", r.Id).ExecuteNonQuery();
            Seals.SealRegistry.EndOnLeaving(c, t, r.Id, request.Date, Seals.SealAbolitionReason.Death);
            return (r.HouseholdNumber, request.Date, "死亡届", null, "死亡により消除");
        }));
    }

    // ---------------------------------------------------------------- changes

    public Task<RegisterEventResult> AddressChangeAsync(AddressChangeRequest request, CancellationToken cancellationToken = default)
    {
        var address = RequiredText(request.NewAddress, "newAddress");
        CheckDate(request.Date, "date");
        return Task.FromResult(Change(request.RequestId, RegisterEventType.AddressChange, request.ResidentId, (c, t, r) =>
        {
            if (r.Address == address) throw new RegisterException("no-change", "the new address is the current address (住所が変わっていません)");
            var movers = request.WholeHousehold
                ? ResidentRegister.FindHousehold(c, t, r.HouseholdNumber)!.Members.Where(m => m.Id != r.Id).ToList()
                : [];
            foreach (var resident in movers.Prepend(r))
            {
                c.Command("UPDATE residents SET address = @a WHERE id = @id", t).With("@a", address).With("@id", resident.Id).ExecuteNonQuery();
                if (resident.Id != r.Id)
                    InsertEvent(c, t, resident.Id, RegisterEventType.AddressChange, request.Date, "転居届（世帯全員）", $"住所 {resident.Address}", $"住所 {address}", null);
            }
            return (r.HouseholdNumber, request.Date, request.WholeHousehold ? "転居届（世帯全員）" : "転居届", $"住所 {r.Address}", $"住所 {address}");
        }));
    }

    public Task<RegisterEventResult> NameChangeAsync(NameChangeRequest request, CancellationToken cancellationToken = default)
    {
        var name = CheckName(request.FamilyName, request.GivenName, request.FamilyNameKana, request.GivenNameKana);
        var reason = RequiredText(request.Reason, "reason");
        CheckDate(request.Date, "date");
        return Task.FromResult(Change(request.RequestId, RegisterEventType.NameChange, request.ResidentId, (c, t, r) =>
        {
            c.Command("UPDATE residents SET family_name = @fn, given_name = @gn, family_name_kana = @fk, given_name_kana = @gk WHERE id = @id", t)
                .With("@fn", name.FamilyName).With("@gn", name.GivenName).With("@fk", name.FamilyNameKana).With("@gk", name.GivenNameKana)
                .With("@id", r.Id).ExecuteNonQuery();
            ResidentRegister.WriteSearchKeys(c, t, r.Id);
            return (r.HouseholdNumber, request.Date, reason, $"氏名 {r.Name.Full}（{r.Name.FullKana}）", $"氏名 {name.Full}（{name.FullKana}）");
        }));
    }

    public Task<RegisterEventResult> HouseholdChangeAsync(HouseholdChangeRequest request, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(request.Relationship)) throw new RegisterException("bad-relationship", "unknown 続柄 (続柄が不明です)");
        CheckDate(request.Date, "date");
        var target = request.TargetHouseholdNumber is null ? null : RegisterInputRules.RequireHouseholdNumber(request.TargetHouseholdNumber, "targetHouseholdNumber");
        return Task.FromResult(Change(request.RequestId, RegisterEventType.HouseholdChange, request.ResidentId, (c, t, r) =>
        {
            var before = $"世帯番号 {r.HouseholdNumber}、続柄 {r.Relationship.ToJapanese()}";
            string household;
            string reason;
            if (request.TargetHouseholdNumber is null)
            {
                if (request.Relationship != Relationship.Head)
                    throw new RegisterException("head-required", "a person who starts a new household is its head (新しい世帯の続柄は世帯主です)");
                household = NewHouseholdNumber(c, t, request.Date);
                reason = "世帯分離";
            }
            else
            {
                household = target!;
                var targetHousehold = ResidentRegister.FindHousehold(c, t, household)
                    ?? throw new RegisterException("unknown-household", "no household with this number (該当する世帯がありません)");
                if (household == r.HouseholdNumber && request.Relationship == r.Relationship)
                    throw new RegisterException("no-change", "the household and 続柄 are unchanged (変更がありません)");
                if (request.Relationship == Relationship.Head && targetHousehold.Head is { } head && head.Id != r.Id)
                    throw new RegisterException("head-exists", "the household already has a head; use a change of head (世帯主変更を使用してください)");
                reason = household == r.HouseholdNumber ? "続柄の変更" : "世帯合併・世帯変更";
            }
            c.Command("UPDATE residents SET household_number = @h, relationship = @rel WHERE id = @id", t)
                .With("@h", household).With("@rel", (int)request.Relationship).With("@id", r.Id).ExecuteNonQuery();
            return (household, request.Date, reason, before, $"世帯番号 {household}、続柄 {request.Relationship.ToJapanese()}");
        }));
    }

    public Task<RegisterEventResult> HeadChangeAsync(HeadChangeRequest request, CancellationToken cancellationToken = default)
    {
        if (request.FormerHeadRelationship == Relationship.Head || !Enum.IsDefined(request.FormerHeadRelationship))
            throw new RegisterException("bad-relationship", "the former head needs a 続柄 other than 世帯主 (前世帯主の続柄を指定してください)");
        CheckDate(request.Date, "date");
        return Task.FromResult(Change(request.RequestId, RegisterEventType.HeadChange, request.NewHeadResidentId, (c, t, r) =>
        {
            if (r.Relationship == Relationship.Head) throw new RegisterException("no-change", "this person is already the head (既に世帯主です)");
            var former = ResidentRegister.FindHousehold(c, t, r.HouseholdNumber)!.Head;
            if (former is not null)
            {
                c.Command("UPDATE residents SET relationship = @rel WHERE id = @id", t)
                    .With("@rel", (int)request.FormerHeadRelationship).With("@id", former.Id).ExecuteNonQuery();
                InsertEvent(c, t, former.Id, RegisterEventType.HeadChange, request.Date, "世帯主変更届",
                    "続柄 世帯主", $"続柄 {request.FormerHeadRelationship.ToJapanese()}", null);
            }
            c.Command("UPDATE residents SET relationship = 1 WHERE id = @id", t).With("@id", r.Id).ExecuteNonQuery();
            return (r.HouseholdNumber, request.Date, "世帯主変更届", $"続柄 {r.Relationship.ToJapanese()}", "続柄 世帯主");
        }));
    }

    /// <summary>Changes a leaked number through J-LIS; the old number stays in the history, closed, and is never reissued.</summary>
    public async Task<RegisterEventResult> ChangeNumberAsync(NumberChangeRequest request, CancellationToken cancellationToken = default)
    {
        if (Replay(request.RequestId, RegisterEventType.NumberChanged) is { } done) return done;
        if (!Enum.IsDefined(request.Reason)) throw new RegisterException("bad-reason", "reason: unknown reason for a number change (変更事由が不明です)");
        CheckDate(request.Date, "date");
        var resident = register.Find(request.ResidentId) ?? throw UnknownResident();
        if (resident.Status != RegisterStatus.Resident) throw NotResident();
        if (resident.IndividualNumber is null)
            throw new RegisterException("no-number", "this resident has no individual number yet (個人番号が指定されていません)");
        var changed = await jlis.ChangeNumberAsync(new ChangeNumberRequest(request.RequestId, Municipality, resident.ResidentCode, request.Reason), cancellationToken);
        var why = request.Reason == NumberChangeReason.HolderRequest ? "本人の請求" : "職権";
        return Commit(request.RequestId, RegisterEventType.NumberChanged, (c, t) =>
        {
            var current = ResidentRegister.Find(c, t, request.ResidentId) ?? throw UnknownResident();
            if (current.IndividualNumber != changed.NewNumber)
                SetNumber(c, t, current.Id, changed.NewNumber, request.Date, $"{NumberReasons.Changed}（{why}）");
            return (current.Id, current.HouseholdNumber, request.Date, $"個人番号の変更（{why}、第{changed.Generation}世代）", null, "個人番号を変更");
        });
    }

    // ---------------------------------------------------------------- plumbing

    private delegate (long ResidentId, string Household, DateOnly Date, string Reason, string? Before, string? After) Work(DbConnection c, DbTransaction t);
    private delegate (string Household, DateOnly Date, string Reason, string? Before, string? After) ResidentWork(DbConnection c, DbTransaction t, Resident r);

    /// <summary>An event on an existing current resident, without J-LIS.</summary>
    private RegisterEventResult Change(Guid requestId, RegisterEventType type, long residentId, ResidentWork work)
    {
        if (Replay(requestId, type) is { } done) return done;
        return Commit(requestId, type, (c, t) =>
        {
            var resident = ResidentRegister.Find(c, t, residentId) ?? throw UnknownResident();
            if (resident.Status != RegisterStatus.Resident) throw NotResident();
            var (household, date, reason, before, after) = work(c, t, resident);
            // A person who leaves a household changes the copies of those who stay (their member lists).
            if (household != resident.HouseholdNumber) RegisterCopyOutbox.Enqueue(c, t, resident.HouseholdNumber);
            return (resident.Id, household, date, reason, before, after);
        });
    }

    private RegisterEventResult Commit(Guid requestId, RegisterEventType type, Work work)
    {
        if (requestId == Guid.Empty) throw new RegisterException("missing-request-id", "every event needs a request id (requestId がありません)");
        try
        {
            var result = Database.InTransaction((c, t) =>
            {
                if (Replay(c, t, requestId, type) is { } done) return done;
                var (residentId, household, date, reason, before, after) = work(c, t);
                var eventId = InsertEvent(c, t, residentId, type, date, reason, before, after, requestId);
                RegisterCopyOutbox.Enqueue(c, t, household);
                c.Command("INSERT INTO register_requests (request_id, event_type, resident_id, household_number, event_id) VALUES (@r, @type, @id, @h, @e)", t)
                    .With("@r", requestId.ToString("N")).With("@type", type.ToString()).With("@id", residentId).With("@h", household).With("@e", eventId)
                    .ExecuteNonQuery();
                return new RegisterEventResult(residentId, household, eventId, false);
            });
            if (!result.Replayed) Committed?.Invoke();
            return result;
        }
        catch (DbException) when (Replay(requestId, type) is not null)
        {
            // The same request was committed concurrently: answer as a retry.
            return Replay(requestId, type)!;
        }
    }

    private RegisterEventResult? Replay(Guid requestId, RegisterEventType type)
    {
        if (requestId == Guid.Empty) throw new RegisterException("missing-request-id", "every event needs a request id (requestId がありません)");
        using var connection = Database.Open();
        return Replay(connection, null, requestId, type);
    }

    private static RegisterEventResult? Replay(DbConnection c, DbTransaction? t, Guid requestId, RegisterEventType type)
    {
        using var command = c.Command("SELECT event_type, resident_id, household_number, event_id FROM register_requests WHERE request_id = @r", t)
            .With("@r", requestId.ToString("N"));
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        if (reader.GetString(0) != type.ToString())
            throw new RegisterException("request-id-reused", "this request id was already used for a different event (リクエストIDが別の届出で使用済みです)");
        return new RegisterEventResult(reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3), true);
    }

    internal static long InsertEvent(DbConnection c, DbTransaction t, long residentId, RegisterEventType type, DateOnly date, string reason,
        string? before, string? after, Guid? requestId)
    {
        using var command = c.Command("""
            INSERT INTO register_events (resident_id, event_type, event_date, reason, before_summary, after_summary, request_id, recorded_at)
            VALUES (@id, @type, @date, @reason, @before, @after, @req, @at) RETURNING id
            """, t)
            .With("@id", residentId).With("@type", type.ToString()).With("@date", ResidentRegister.FormatDate(date)).With("@reason", reason)
            .With("@before", before).With("@after", after).With("@req", requestId?.ToString("N")).With("@at", ResidentRegister.Now());
        return command.ScalarInt64();
    }

    private static long InsertResident(DbConnection c, DbTransaction t, ResidentCode code, IndividualNumber number, NewPerson person, string address,
        string household, Relationship relationship, DateOnly since, bool foreign, string? nationality, string numberReason, DateOnly numberFrom)
    {
        if (ResidentRegister.FindByCode(c, t, code) is not null)
            throw new RegisterException("already-registered", "this resident-record code is already on the register (住民票コードが既に登録されています)");
        CheckNumberFree(c, t, number, null);
        var id = c.Command("""
            INSERT INTO residents (resident_code, family_name, given_name, family_name_kana, given_name_kana, birth_date, sex,
              address, household_number, relationship, resident_since, status, foreign_resident, nationality)
            VALUES (@code, @fn, @gn, @fk, @gk, @birth, @sex, @address, @household, @rel, @since, 0, @foreign, @nat) RETURNING id
            """, t)
            .With("@code", code.ToInt64())
            .With("@fn", person.FamilyName).With("@gn", person.GivenName).With("@fk", person.FamilyNameKana).With("@gk", person.GivenNameKana)
            .With("@birth", ResidentRegister.FormatDate(person.BirthDate)).With("@sex", (int)person.Sex).With("@address", address)
            .With("@household", household).With("@rel", (int)relationship).With("@since", ResidentRegister.FormatDate(since))
            .With("@foreign", foreign ? 1 : 0).With("@nat", nationality).ScalarInt64();
        ResidentRegister.WriteSearchKeys(c, t, id);
        c.Command("INSERT INTO resident_numbers (resident_id, individual_number, valid_from, reason) VALUES (@id, @n, @from, @reason)", t)
            .With("@id", id).With("@n", number.ToInt64()).With("@from", ResidentRegister.FormatDate(numberFrom)).With("@reason", numberReason)
            .ExecuteNonQuery();
        return id;
    }

    /// <summary>Makes <paramref name="number"/> the resident's current number, closing the previous one in the history.</summary>
    internal static void SetNumber(DbConnection c, DbTransaction t, long residentId, IndividualNumber number, DateOnly date, string reason)
    {
        CheckNumberFree(c, t, number, residentId);
        c.Command("UPDATE resident_numbers SET valid_to = @d WHERE resident_id = @id AND valid_to IS NULL", t)
            .With("@d", ResidentRegister.FormatDate(date)).With("@id", residentId).ExecuteNonQuery();
        c.Command("INSERT INTO resident_numbers (resident_id, individual_number, valid_from, reason) VALUES (@id, @n, @from, @reason) ON CONFLICT DO NOTHING", t)
            .With("@id", residentId).With("@n", number.ToInt64()).With("@from", ResidentRegister.FormatDate(date)).With("@reason", reason)
            .ExecuteNonQuery();
    }

    private static void CheckNumberFree(DbConnection c, DbTransaction t, IndividualNumber number, long? owner)
    {
        var holder = c.Command("SELECT resident_id FROM resident_numbers WHERE individual_number = @n", t).With("@n", number.ToInt64()).ExecuteScalar();
        if (holder is not null and not DBNull && Convert.ToInt64(holder, System.Globalization.CultureInfo.InvariantCulture) != owner)
            throw new RegisterException("number-in-use", "this individual number is recorded for another person on the register (個人番号が他の住民に記録されています)");
    }

    /// <summary>Checks a placement before J-LIS is called, so a hopeless request costs no code or number.</summary>
    private void CheckPlacement(string? householdNumber, Relationship relationship, string? address, out Household? household)
    {
        if (!Enum.IsDefined(relationship)) throw new RegisterException("bad-relationship", "unknown 続柄 (続柄が不明です)");
        household = null;
        if (householdNumber is null)
        {
            if (relationship != Relationship.Head)
                throw new RegisterException("head-required", "a person who starts a new household is its head (新しい世帯の続柄は世帯主です)");
            if (string.IsNullOrWhiteSpace(address))
                throw new RegisterException("address-required", "a new household needs an address (住所がありません)");
            return;
        }
        household = register.FindHousehold(RegisterInputRules.RequireHouseholdNumber(householdNumber, "householdNumber"))
            ?? throw new RegisterException("unknown-household", "no household with this number (該当する世帯がありません)");
        if (relationship == Relationship.Head && household.Head is not null)
            throw new RegisterException("head-exists", "the household already has a head (世帯主が既にいます)");
        if (address is null && household.Members.Count == 0)
            throw new RegisterException("address-required", "the household has no current member to take the address from (住所がありません)");
    }

    /// <summary>Places a newcomer: an existing household (address defaults to its head's) or a new one.</summary>
    private static (string Household, string Address) Place(DbConnection c, DbTransaction t, string? householdNumber, Relationship relationship,
        string? address, DateOnly date)
    {
        if (householdNumber is null) return (NewHouseholdNumber(c, t, date), address!.Trim());
        var household = ResidentRegister.FindHousehold(c, t, householdNumber.Trim())
            ?? throw new RegisterException("unknown-household", "no household with this number (該当する世帯がありません)");
        if (relationship == Relationship.Head && household.Head is not null)
            throw new RegisterException("head-exists", "the household already has a head (世帯主が既にいます)");
        var placed = address?.Trim() ?? (household.Head ?? household.Members.FirstOrDefault())?.Address
            ?? throw new RegisterException("address-required", "the household has no current member to take the address from (住所がありません)");
        return (household.HouseholdNumber, placed);
    }

    /// <summary>Allocates the next free household number (numbers of imported households are respected).</summary>
    internal static string NewHouseholdNumber(DbConnection c, DbTransaction t, DateOnly date)
    {
        var stored = c.Command("SELECT value FROM register_counters WHERE name = 'household'", t).ExecuteScalar();
        long next;
        int width;
        if (stored is null or DBNull)
        {
            var highest = c.Command("SELECT household_number FROM households ORDER BY LENGTH(household_number) DESC, household_number DESC LIMIT 1", t)
                .ExecuteScalar() as string;
            next = highest is null ? 1 : long.Parse(highest, System.Globalization.CultureInfo.InvariantCulture) + 1;
            width = highest?.Length ?? 8;
        }
        else
        {
            next = Convert.ToInt64(stored, System.Globalization.CultureInfo.InvariantCulture) + 1;
            width = 8;
        }
        string number;
        while (true)
        {
            number = next.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width, '0');
            if (number.Length > 12) throw new InvalidOperationException("household numbers are exhausted");
            if (c.Command("SELECT COUNT(*) FROM households WHERE household_number = @h", t).With("@h", number).ScalarInt64() == 0) break;
            next++;
        }
        c.Command("INSERT INTO register_counters (name, value) VALUES ('household', @v) ON CONFLICT (name) DO UPDATE SET value = @v", t)
            .With("@v", next).ExecuteNonQuery();
        c.Command("INSERT INTO households (household_number, created_on) VALUES (@h, @on)", t)
            .With("@h", number).With("@on", ResidentRegister.FormatDate(date)).ExecuteNonQuery();
        return number;
    }

    private NewPerson CheckPerson(NewPerson? person)
    {
        if (person is null) throw new RegisterException("person-required", "the person's name, birth date and sex are required (本人の情報がありません)");
        var name = CheckName(person.FamilyName, person.GivenName, person.FamilyNameKana, person.GivenNameKana);
        if (!Enum.IsDefined(person.Sex)) throw new RegisterException("bad-sex", "sex is 1 (男) or 2 (女) (性別が不正です)");
        CheckDate(person.BirthDate, "birthDate");
        return person with { FamilyName = name.FamilyName, GivenName = name.GivenName, FamilyNameKana = name.FamilyNameKana, GivenNameKana = name.GivenNameKana };
    }

    internal static PersonName CheckName(string? family, string? given, string? familyKana, string? givenKana)
    {
        var name = new PersonName(RequiredText(family, "familyName"), RequiredText(given, "givenName"),
            Kana(familyKana, "familyNameKana"), Kana(givenKana, "givenNameKana"));
        return name;
    }

    private static string Kana(string? text, string field)
    {
        var value = RequiredText(text, field);
        if (value.Any(c => c is not ((>= '\u30A1' and <= '\u30FC') or '\u3000' or ' ')))
            throw new RegisterException("bad-kana", $"{field}: only full-width katakana is allowed (フリガナは全角カタカナで記入してください)");
        return value;
    }

    private static string RequiredText(string? text, string field) => RegisterInputRules.RequireText(text, field);

    /// <summary>A day in a life: between 1868 and a year from today (<see cref="RegisterInputRules"/>).</summary>
    private void CheckDate(DateOnly date, string field) => RegisterInputRules.RequireDate(date, field, Today);

    private static void CheckForeign(bool foreign, string? nationality)
    {
        if (!string.IsNullOrWhiteSpace(nationality)) RegisterInputRules.RequireText(nationality, "nationality");
        if (foreign && string.IsNullOrWhiteSpace(nationality))
            throw new RegisterException("nationality-required", "a foreign resident needs a nationality or region (国籍・地域がありません)");
        if (!foreign && !string.IsNullOrWhiteSpace(nationality))
            throw new RegisterException("nationality-not-allowed", "nationality is recorded for foreign residents only (日本人住民に国籍・地域は記載しません)");
    }

    private static RegisterException UnknownResident() => new("unknown-resident", "no resident with this id (該当する住民がいません)");
    private static RegisterException NotResident() => new("not-resident", "this person is no longer a resident (既に消除されています)");

    /// <summary>A request id for a follow-up call, derived from the event's so a retry derives the same one.</summary>
    internal static Guid DerivedId(Guid requestId, string purpose) => TokenAcquirer.DerivedId(requestId, purpose);
}
