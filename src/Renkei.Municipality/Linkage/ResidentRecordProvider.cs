using Renkei.Municipality.Addressee;
using Renkei.Municipality.Business;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.IntraLinkage;

/// <summary>One member of the subject's household in the 住民票関係情報 body.</summary>
public sealed record HouseholdMemberInformation(string? AddresseeNumber, string Relationship, DateOnly BirthDate);

/// <summary>The 住民票関係情報 body the resident register provides inside the ward (never the number or resident-record code).</summary>
public sealed record ResidentRecordInformation(
    string Name,
    string Kana,
    DateOnly BirthDate,
    string Sex,
    string Address,
    string HouseholdNumber,
    string Relationship,
    DateOnly ResidentSince,
    string Status,
    DateOnly? StatusDate,
    IReadOnlyList<HouseholdMemberInformation> Household);

/// <summary>The resident register (住民記録システム) as a provider of <c>resident-record</c> for intra-municipality linkage.</summary>
public sealed class ResidentRecordProvider(AddresseeSystem addressee) : IInformationProvider
{
    public const string Code = "resident-register";
    public const string Kind = "resident-record";

    public string SystemCode => Code;
    public IReadOnlyList<string> InformationKinds { get; } = [Kind];

    public ProvidedInformation? Provide(string informationKind, IntegratedAddresseeNumber subject, DateOnly asOf)
    {
        if (informationKind != Kind)
            throw new BusinessSystemException(BusinessSystemException.InvalidInput, $"住民記録システムは情報の種類「{informationKind}」を提供しません");
        var person = addressee.Find(subject);
        if (person?.ResidentId is not { } residentId) return null;
        var resident = addressee.Register.Find(residentId);
        if (resident is null) return null;
        var household = addressee.Register.FindHousehold(resident.HouseholdNumber);
        var members = (household?.Members ?? []).Select(m => new HouseholdMemberInformation(
            addressee.ForResident(m.Id)?.Digits, m.Relationship.ToJapanese(), m.BirthDate)).ToList();
        var body = new ResidentRecordInformation(resident.Name.Full, resident.Name.FullKana, resident.BirthDate, resident.Sex == Core.People.Sex.Male ? "男" : "女",
            resident.Address, resident.HouseholdNumber, resident.Relationship.ToJapanese(), resident.ResidentSince,
            resident.Status switch { RegisterStatus.Resident => "住民", RegisterStatus.MovedOut => "転出", _ => "死亡" }, resident.StatusDate, members);
        return new ProvidedInformation(Kind, Code, subject, asOf, System.Text.Json.JsonSerializer.SerializeToElement(body, Core.Json.JsonDefaults.Options));
    }
}
