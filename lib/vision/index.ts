import * as transforms from './transforms';
import * as datasets from './datasets';
import * as io from './idx';

import * as utils from './utils';

export { transforms, datasets, io, utils };
