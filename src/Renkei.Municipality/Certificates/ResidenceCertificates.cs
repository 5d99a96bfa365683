using Renkei.Core.Dates;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Certificates;

/// <summary>Builds residence-certificate data from the register.</summary>
public sealed class ResidenceCertificates(ResidentRegister register, AffairCatalogue affairs, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>Batch issuance (no staff session): numbers only for an <see cref="ResidenceCertificateRequest.AffairCode"/> in force that may use them.</summary>
    /// <exception cref="AffairNumberUseRefusedException">a number was asked for without an affair in force that may use it.</exception>
    /// <exception cref="RegisterException">no such resident.</exception>
    public ResidenceCertificate Build(ResidenceCertificateRequest request)
    {
        var today = DateOnly.FromDateTime(_clock.GetUtcNow().ToOffset(TimeSpan.FromHours(9)).DateTime); // the day in Japan, as every certificate is dated
        Affair? affair = null;
        if (request.IncludeNumber || request.IncludeResidentCode) affair = affairs.RequireNumberUse(request.AffairCode, today);
        return Build(request, today, affair is not null, affair?.Code);
    }

    /// <summary>
    /// Issuance for a staff member: numbers are included only when the request asks for them and
    /// <paramref name="numbers"/> (<see cref="NumberVisibility.Decide"/> for the session, on the day of issue) is visible.
    /// Asking for numbers with a masked decision is refused with the decision's reason, never silently masked; an
    /// affair code in the request other than the session's chosen affair is refused too. The certificate is dated
    /// <see cref="NumberVisibilityDecision.Date"/>.
    /// </summary>
    /// <exception cref="AffairNumberUseRefusedException">numbers asked for but not visible (code = the decision's reason), or affair-mismatch.</exception>
    /// <exception cref="RegisterException">no such resident.</exception>
    public ResidenceCertificate Build(ResidenceCertificateRequest request, NumberVisibilityDecision numbers)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        if (request.AffairCode is { } asked && !string.Equals(asked.Trim(), numbers.AffairCode, StringComparison.OrdinalIgnoreCase))
            throw new AffairNumberUseRefusedException(AffairMismatch,
                "指定された事務は選択中の事務と異なります。事務を選択し直してください (the affair in the request is not the session's chosen affair)");
        if ((request.IncludeNumber || request.IncludeResidentCode) && !numbers.Visible)
            throw new AffairNumberUseRefusedException(numbers.ReasonCode, numbers.Message);
        var include = (request.IncludeNumber || request.IncludeResidentCode) && numbers.Visible;
        return Build(request, numbers.Date, include, include ? numbers.AffairCode : null);
    }

    /// <summary>
    /// Kiosk issuance (コンビニ交付): the register's data dated <paramref name="today"/> (Japan), never with numbers or
    /// resident-record codes — kiosk paper carries neither.
    /// </summary>
    /// <exception cref="ArgumentException">the request asks for numbers or codes.</exception>
    /// <exception cref="RegisterException">no such resident, or a record unfit to certify.</exception>
    public ResidenceCertificate BuildWithoutNumbers(ResidenceCertificateRequest request, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.IncludeNumber || request.IncludeResidentCode)
            throw new ArgumentException("no numbers or resident-record codes on this certificate", nameof(request));
        return Build(request, today, allowed: false, affairCode: null);
    }

    /// <summary>The reason code when a request names another affair than the one the staff member acts in.</summary>
    public const string AffairMismatch = "affair-mismatch";

    /// <summary>
    /// The refusal when a person's stored record is not fit to certify (a date outside 1868 … a year from the day of issue,
    /// an unknown sex or 続柄 — e.g. written before the register checked its input): the record must be corrected first.
    /// </summary>
    public const string RecordInvalid = "register-record-invalid";

    /// <summary>The refusal when chosen members (一部) are not all current members of the person's household.</summary>
    public const string MemberNotInHousehold = "member-not-in-household";

    /// <summary>The refusal when a request asks for both the whole household and chosen members.</summary>
    public const string ScopeConflict = "scope-conflict";

    private ResidenceCertificate Build(ResidenceCertificateRequest request, DateOnly today, bool allowed, string? affairCode)
    {
        var person = register.Find(request.ResidentId)
            ?? throw new RegisterException("unknown-resident", "residentId: no resident with this id (該当する住民がいません)");
        IReadOnlyList<Resident> people = [person];
        if (request.WholeHousehold && request.Members is not null)
            throw new RegisterException(ScopeConflict,
                "members: choose either the whole household or some members, not both (世帯全員と一部は同時に指定できません)");
        if (request.WholeHousehold && person.Status == RegisterStatus.Resident)
            people = register.FindHousehold(person.HouseholdNumber)?.Members ?? people;
        if (request.Members is { } chosen)
        {
            var household = person.Status == RegisterStatus.Resident ? register.FindHousehold(person.HouseholdNumber)?.Members ?? [person] : [person];
            if (chosen.Count == 0 || chosen.Any(id => household.All(m => m.Id != id)))
                throw new RegisterException(MemberNotInHousehold,
                    "members: every chosen member must be a current member of the person's household (選択した者が同じ世帯の世帯員ではありません)");
            people = household.Where(m => chosen.Contains(m.Id)).ToList();
        }
        var includeNumbers = allowed && request.IncludeNumber;
        var includeCodes = allowed && request.IncludeResidentCode;
        var head = people.FirstOrDefault(p => p.Relationship == Contracts.Relationship.Head)
            ?? register.FindHousehold(person.HouseholdNumber)?.Head;
        var headName = head?.Name.Full ?? "";
        var events = people.ToDictionary(p => p.Id, p => register.Events(p.Id));
        if (people.Any(p => !FitToCertify(p, events[p.Id], today)))
            throw new RegisterException(RecordInvalid,
                "the register record holds a value that cannot be certified (an impossible date or code); correct the record first (住民記録に誤りがあるため証明できません。記録を訂正してください)");

        var entries = people.Select(p => new ResidenceCertificateEntry(
            p.Id,
            p.Name.Full,
            p.Name.FullKana,
            p.BirthDate,
            JapaneseEraDate.Format(p.BirthDate),
            p.Sex.ToJapanese(),
            p.Address,
            p.Relationship.ToJapanese(),
            headName,
            p.ResidentSince,
            JapaneseEraDate.Format(p.ResidentSince),
            StatusText(p.Status),
            p.StatusDate,
            p.MovedOutTo,
            p.ForeignResident ? new ForeignResidentItems(p.Nationality ?? "") : null,
            includeNumbers ? p.IndividualNumber : null,
            events[p.Id].Select(e => new CertificateHistoryLine(e.Date, JapaneseEraDate.Format(e.Date), e.Type.ToJapanese(),
                e.After ?? e.Reason)).ToList())
        {
            ResidentCode = includeCodes ? p.ResidentCode : null,
        }).ToList();

        return new ResidenceCertificate(register.Municipality.Digits, today, JapaneseEraDate.Format(today), person.HouseholdNumber, headName,
            includeNumbers, allowed ? affairCode : null, entries);
    }

    private static bool FitToCertify(Resident person, IReadOnlyList<RegisterEvent> events, DateOnly today)
    {
        bool Fit(DateOnly date) => RegisterInputRules.CheckDate(date, "date", today) is null;
        return Fit(person.BirthDate) && Fit(person.ResidentSince) && (person.StatusDate is not { } status || Fit(status))
            && Enum.IsDefined(person.Sex) && Enum.IsDefined(person.Relationship) && Enum.IsDefined(person.Status)
            && events.All(e => Fit(e.Date));
    }

    private static string StatusText(RegisterStatus status) => status switch
    {
        RegisterStatus.Resident => "住民",
        RegisterStatus.MovedOut => "転出",
        RegisterStatus.Deceased => "死亡",
        _ => status.ToString(),
    };
}
