using Renkei.Municipality.Addressee;
using Renkei.Municipality.Affairs;

namespace Renkei.Municipality.Business;

/// <summary>Retention periods per system; null keeps each system's documented default.</summary>
public sealed record BusinessRetentionOptions(
    RetentionPolicy? ResidenceTax = null,
    RetentionPolicy? ChildAllowance = null,
    RetentionPolicy? NursingCare = null,
    RetentionPolicy? NationalHealthInsurance = null,
    RetentionPolicy? PublicAssistance = null);

/// <summary>
/// The ward's business systems (業務システム) over its addressee system: individual residence tax, child allowance,
/// nursing-care insurance, national health insurance and public assistance, each in its own prefixed tables.
/// </summary>
public sealed class MunicipalBusinessSystems
{
    public MunicipalBusinessSystems(AddresseeSystem addressee, BusinessRetentionOptions? retention = null)
    {
        retention ??= new BusinessRetentionOptions();
        Addressee = addressee;
        ResidenceTax = new ResidenceTaxSystem(addressee, retention.ResidenceTax);
        ChildAllowance = new ChildAllowanceSystem(addressee, retention.ChildAllowance);
        NursingCare = new NursingCareInsuranceSystem(addressee, retention.NursingCare);
        NationalHealthInsurance = new NationalHealthInsuranceSystem(addressee, retention.NationalHealthInsurance);
        PublicAssistance = new PublicAssistanceSystem(addressee, retention.PublicAssistance);
        All = [ResidenceTax, ChildAllowance, NursingCare, NationalHealthInsurance, PublicAssistance];
    }

    public AddresseeSystem Addressee { get; }
    public ResidenceTaxSystem ResidenceTax { get; }
    public ChildAllowanceSystem ChildAllowance { get; }
    public NursingCareInsuranceSystem NursingCare { get; }
    public NationalHealthInsuranceSystem NationalHealthInsurance { get; }
    public PublicAssistanceSystem PublicAssistance { get; }
    public IReadOnlyList<BusinessSystemStore> All { get; }

    public BusinessSystemStore? Find(string? systemCode) => All.FirstOrDefault(s => s.SystemCode == systemCode);

    /// <summary>The affairs of <paramref name="catalogue"/> a system serves (the affairs whose <c>system</c> is its code).</summary>
    public static IReadOnlyList<Affair> AffairsServedBy(BusinessSystemStore system, AffairCatalogue catalogue) =>
        catalogue.Affairs.Where(a => a.System == system.SystemCode).ToList();
}
