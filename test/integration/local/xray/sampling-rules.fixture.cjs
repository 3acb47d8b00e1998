// Asks the daemon's TCP address for sampling rules the way aws-xray-sdk-core does outside Lambda
// (POST /GetSamplingRules), and prints the rules the SDK accepted from the answer.
const connector = require('aws-xray-sdk-core/dist/lib/middleware/sampling/service_connector');

connector.fetchSamplingRules((error, rules) => {
  if (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  process.stdout.write(
    JSON.stringify(rules.map((rule) => ({ name: rule.name, rate: rule.rate, isDefault: rule.isDefault() }))),
  );
});
