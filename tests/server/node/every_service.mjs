// One operation (or a few) per faked service through the AWS SDK for JavaScript v3.
// The SDK finds the served cloud through AWS_ENDPOINT_URL, AWS_REGION and the
// fake credentials the test's environment carries; prints one JSON line.
import { SQSClient, GetQueueUrlCommand, SendMessageCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { SNSClient, PublishCommand } from "@aws-sdk/client-sns";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { SecretsManagerClient, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";

const [topicArn, machineArn] = process.argv.slice(2);

const sqs = new SQSClient({});
const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "orders" }));
await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "from node" }));
const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));

const sns = new SNSClient({});
const published = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "node says hi" }));

const sfn = new SFNClient({});
const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, name: "from-node", input: "{\"n\": 1}" }));

const secrets = new SecretsManagerClient({});
const secret = await secrets.send(new GetSecretValueCommand({ SecretId: "db-password" }));

let missing;
try {
  await sqs.send(new GetQueueUrlCommand({ QueueName: "no-such-queue" }));
} catch (error) {
  missing = error.name;
}

console.log(JSON.stringify({
  queueUrl: QueueUrl,
  received: received.Messages.map((m) => m.Body),
  messageId: published.MessageId,
  executionArn: started.executionArn,
  secret: secret.SecretString,
  missing,
}));
